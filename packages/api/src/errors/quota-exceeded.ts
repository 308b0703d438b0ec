import { ComputeBackendError } from "./compute-backend-error.js";

/** A quota would be exceeded (Nova's OverQuota; the API answers 403). */
export class QuotaExceededError extends ComputeBackendError {
  /** 403. */
  readonly httpStatus = 403;

  /** Builds the error; the message names the resource over quota, as Nova's 403 body does. */
  constructor(message: string) {
    super("OVER_QUOTA", message);
  }
}
