import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** A guest with this instance's uuid or name is already on the hypervisor. */
export class InstanceExistsError extends VirtError {
  readonly code = "InstanceExists" as const;

  constructor(name: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super(`Instance ${name} already exists.`, options);
  }

  static override isInstance(error: unknown): error is InstanceExistsError {
    return hasVirtErrorCode(error, "InstanceExists");
  }
}
