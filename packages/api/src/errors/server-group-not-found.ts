import { ComputeBackendError } from "./compute-backend-error.js";

/** No server group has this id (Nova's InstanceGroupNotFound). */
export class ServerGroupNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** The error for a group id that does not exist. */
  constructor(
    /** The id asked for. */
    readonly groupId: string,
  ) {
    super("INSTANCE_GROUP_NOT_FOUND", `Instance group ${groupId} could not be found.`);
  }
}
