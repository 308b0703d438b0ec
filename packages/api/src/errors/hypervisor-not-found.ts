import { ComputeBackendError } from "./compute-backend-error.js";

/** No compute node with that id or uuid (Nova's ComputeHostNotFound, as os-hypervisors words it). */
export class HypervisorNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds os-hypervisors' "Hypervisor with ID '<id>' could not be found." */
  constructor(
    /** The id asked for. */
    readonly hypervisorId: string,
  ) {
    super("COMPUTE_HOST_NOT_FOUND", `Hypervisor with ID '${hypervisorId}' could not be found.`);
  }
}
