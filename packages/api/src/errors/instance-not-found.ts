import { ComputeBackendError } from "./compute-backend-error.js";

/** No instance with this id (or not visible to the caller). */
export class InstanceNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Instance <id> could not be found." */
  constructor(
    /** The instance id asked for. */
    readonly instanceId: string,
  ) {
    super("INSTANCE_NOT_FOUND", `Instance ${instanceId} could not be found.`);
  }
}
