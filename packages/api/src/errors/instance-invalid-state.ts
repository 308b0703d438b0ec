import { ComputeBackendError } from "./compute-backend-error.js";

/** The instance's vm_state, task_state or launched_at does not allow the operation. */
export class InstanceInvalidStateError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /**
   * Builds Nova's InstanceInvalidState message: the instance, the attribute and value, the method refused.
   */
  constructor(
    /** The instance refused. */
    readonly instanceUuid: string,
    /** Which attribute failed: `vm_state`, `task_state` or `launched_at`. */
    readonly attr: "vm_state" | "task_state" | "launched_at",
    /** Its current value. */
    readonly state: string | null,
    /** The compute API method refused (`pause`, `stop`, `_soft_reboot`, ...). */
    readonly method: string,
  ) {
    super(
      "INSTANCE_INVALID_STATE",
      `Instance ${instanceUuid} in ${attr} ${state ?? "None"}. Cannot ${method} while the instance is in this state.`,
    );
  }
}
