import { type PowerState, powerStateName } from "../power-state.js";
import { VirtError } from "./virt-error.js";

/** The guest is in a state that does not allow the operation (pausing a stopped guest, ...). */
export class InstanceInvalidStateError extends VirtError {
  declare readonly code: "INSTANCE_INVALID_STATE";
  /** The guest's power state when the operation was refused. */
  readonly state: PowerState;
  /** The refused operation. */
  readonly method: string;

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, state: PowerState, method: string, options: { cause?: unknown } = {}) {
    super(
      "INSTANCE_INVALID_STATE",
      "InstanceInvalidState",
      `Instance ${instanceUuid} in power_state ${powerStateName(state)}. Cannot ${method} while the instance is in this state.`,
      { instanceUuid, cause: options.cause },
    );
    this.state = state;
    this.method = method;
  }
}
