import { ComputeBackendError } from "./compute-backend-error.js";

/**
 * The request conflicts with the server's state in a way Nova words itself (UnshelveInstanceInvalidState,
 * UnshelveHostNotInAZ): a 409 whose message is Nova's.
 */
export class ConflictError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds the error; the message is the 409 body's `message`. */
  constructor(message: string) {
    super("CONFLICT", message);
  }
}
