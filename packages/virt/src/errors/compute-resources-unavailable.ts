import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The host has not enough vcpus, memory or disk left for the guest; another host may have. */
export class ComputeResourcesUnavailableError extends VirtError {
  readonly code = "ComputeResourcesUnavailable" as const;
  override readonly isRetryable = true;
  readonly reason: string;

  constructor(reason: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super(`Insufficient compute resources: ${reason}.`, options);
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ComputeResourcesUnavailableError {
    return hasVirtErrorCode(error, "ComputeResourcesUnavailable");
  }
}
