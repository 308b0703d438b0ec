import { VirtError } from "./virt-error.js";

/** The guest could not be rebooted. */
export class InstanceRebootFailureError extends VirtError {
  declare readonly code: "INSTANCE_REBOOT_FAILURE";
  /** Why the operation failed. */
  readonly reason: string;

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super("INSTANCE_REBOOT_FAILURE", "InstanceRebootFailure", `Failed to reboot instance: ${reason}`, {
      instanceUuid,
      cause: options.cause,
    });
    this.reason = reason;
  }
}
