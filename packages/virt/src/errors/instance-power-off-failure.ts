import { VirtError } from "./virt-error.js";

/** The guest could not be powered off, not even by force. */
export class InstancePowerOffFailureError extends VirtError {
  declare readonly code: "INSTANCE_POWER_OFF_FAILURE";
  /** Why the operation failed. */
  readonly reason: string;

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      "INSTANCE_POWER_OFF_FAILURE",
      "InstancePowerOffFailure",
      `Failed to power off instance: ${reason}`,
      { instanceUuid, cause: options.cause },
    );
    this.reason = reason;
  }
}
