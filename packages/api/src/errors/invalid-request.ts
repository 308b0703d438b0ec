import { ComputeBackendError } from "./compute-backend-error.js";

/** The backend rejected the request as invalid (image not active, flavor too small, ...): Nova's Invalid. */
export class InvalidRequestError extends ComputeBackendError {
  /** 400. */
  readonly httpStatus = 400;

  /**
   * Builds the error; the message is the 400 body's `message`, so it says what was wrong with the request.
   */
  constructor(message: string) {
    super("INVALID", message);
  }
}
