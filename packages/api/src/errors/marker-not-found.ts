import { ComputeBackendError } from "./compute-backend-error.js";

/** A pagination marker that names no item of the list. */
export class MarkerNotFoundError extends ComputeBackendError {
  readonly code = "MarkerNotFound";
  readonly httpStatus = 404;

  constructor(readonly marker: string) {
    super(`Marker ${marker} could not be found.`);
  }
}
