import { ComputeBackendError } from "./compute-backend-error.js";

/** No instance with this id (or not visible to the caller). */
export class InstanceNotFoundError extends ComputeBackendError {
  readonly code = "InstanceNotFound";
  readonly httpStatus = 404;

  constructor(readonly instanceId: string) {
    super(`Instance ${instanceId} could not be found.`);
  }
}
