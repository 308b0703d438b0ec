import { ComputeBackendError } from "./compute-backend-error.js";

/** No flavor with this flavor id. */
export class FlavorNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Flavor <id> could not be found." */
  constructor(
    /** The flavor id asked for. */
    readonly flavorId: string,
  ) {
    super("FLAVOR_NOT_FOUND", `Flavor ${flavorId} could not be found.`);
  }
}
