import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The hypervisor has no guest for this instance. */
export class InstanceNotFoundError extends VirtError {
  readonly code = "InstanceNotFound" as const;

  constructor(instanceUuid: string, options: { cause?: unknown } = {}) {
    super(`Instance ${instanceUuid} could not be found.`, { instanceUuid, cause: options.cause });
  }

  static override isInstance(error: unknown): error is InstanceNotFoundError {
    return hasVirtErrorCode(error, "InstanceNotFound");
  }
}
