import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The guest could not be rebooted. */
export class InstanceRebootFailureError extends VirtError {
  readonly code = "InstanceRebootFailure" as const;
  readonly reason: string;

  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Failed to reboot instance: ${reason}`, { instanceUuid, cause: options.cause });
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InstanceRebootFailureError {
    return hasVirtErrorCode(error, "InstanceRebootFailure");
  }
}
