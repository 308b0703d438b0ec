import { type PowerState, powerStateName } from "../power-state.js";
import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The guest is in a state that does not allow the operation (pausing a stopped guest, ...). */
export class InstanceInvalidStateError extends VirtError {
  readonly code = "InstanceInvalidState" as const;
  /** The guest's power state when the operation was refused. */
  readonly state: PowerState;
  /** The refused operation. */
  readonly method: string;

  constructor(instanceUuid: string, state: PowerState, method: string, options: { cause?: unknown } = {}) {
    super(
      `Instance ${instanceUuid} in power_state ${powerStateName(state)}. Cannot ${method} while the instance is in this state.`,
      { instanceUuid, cause: options.cause },
    );
    this.state = state;
    this.method = method;
  }

  static override isInstance(error: unknown): error is InstanceInvalidStateError {
    return hasVirtErrorCode(error, "InstanceInvalidState");
  }
}
