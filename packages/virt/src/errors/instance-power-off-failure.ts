import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The guest could not be powered off, not even by force. */
export class InstancePowerOffFailureError extends VirtError {
  readonly code = "InstancePowerOffFailure" as const;
  readonly reason: string;

  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Failed to power off instance: ${reason}`, { instanceUuid, cause: options.cause });
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InstancePowerOffFailureError {
    return hasVirtErrorCode(error, "InstancePowerOffFailure");
  }
}
