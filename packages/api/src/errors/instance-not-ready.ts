import { ComputeBackendError } from "./compute-backend-error.js";

/** The instance has no host yet (still scheduling), so the action cannot be sent. */
export class InstanceNotReadyError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Instance <id> is not ready". */
  constructor(
    /** The instance without a host. */
    readonly instanceId: string,
  ) {
    super("INSTANCE_NOT_READY", `Instance ${instanceId} is not ready`);
  }
}
