import { ComputeBackendError } from "./compute-backend-error.js";

/** The control plane behind the API (database, conductor) did not answer; worth retrying. */
export class BackendUnavailableError extends ComputeBackendError {
  /** 503, as Nova's ServiceUnavailable. */
  readonly httpStatus = 503;

  /**
   * Builds the error; the message defaults to Nova's ServiceUnavailable text, `cause` is what failed
   * underneath.
   */
  constructor(message = "Service is unavailable at this time.", options?: { cause?: unknown }) {
    super("SERVICE_UNAVAILABLE", message, { ...options, isRetryable: true });
  }
}
