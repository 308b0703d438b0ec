import { ComputeBackendError } from "./compute-backend-error.js";

/** No live service with that id or uuid (Nova's ServiceNotFound). */
export class ServiceNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Service <id> could not be found." */
  constructor(
    /** The id asked for. */
    readonly serviceId: string,
  ) {
    super("SERVICE_NOT_FOUND", `Service ${serviceId} could not be found.`);
  }
}
