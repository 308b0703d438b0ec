import { ComputeBackendError } from "./compute-backend-error.js";

/** The control plane behind the API (database, conductor) did not answer; worth retrying. */
export class BackendUnavailableError extends ComputeBackendError {
  readonly code = "ServiceUnavailable";
  readonly httpStatus = 503;
  override readonly isRetryable = true;

  constructor(message = "Service is unavailable at this time.", options?: { cause?: unknown }) {
    super(message, options);
  }
}
