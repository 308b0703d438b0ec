import { ComputeBackendError } from "./compute-backend-error.js";

/** A quota would be exceeded (Nova answers 403). */
export class QuotaExceededError extends ComputeBackendError {
  readonly code = "OverQuota";
  readonly httpStatus = 403;

  constructor(message: string) {
    super(message);
  }
}
