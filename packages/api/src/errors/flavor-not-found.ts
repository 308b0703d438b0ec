import { ComputeBackendError } from "./compute-backend-error.js";

/** No flavor with this flavor id. */
export class FlavorNotFoundError extends ComputeBackendError {
  readonly code = "FlavorNotFound";
  readonly httpStatus = 404;

  constructor(readonly flavorId: string) {
    super(`Flavor ${flavorId} could not be found.`);
  }
}
