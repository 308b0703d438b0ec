import { ComputeBackendError } from "./compute-backend-error.js";

/** A pagination marker that names no item of the list. */
export class MarkerNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Marker <id> could not be found." */
  constructor(
    /** The marker given. */
    readonly marker: string,
  ) {
    super("MARKER_NOT_FOUND", `Marker ${marker} could not be found.`);
  }
}
