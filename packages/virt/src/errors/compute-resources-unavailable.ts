import { VirtError } from "./virt-error.js";

/** The host has not enough vcpus, memory or disk left for the guest; another host may have. */
export class ComputeResourcesUnavailableError extends VirtError {
  declare readonly code: "COMPUTE_RESOURCES_UNAVAILABLE";
  /** Why the operation failed. */
  readonly reason: string;

  /** Builds the error; its message is Nova's. */
  constructor(reason: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super(
      "COMPUTE_RESOURCES_UNAVAILABLE",
      "ComputeResourcesUnavailable",
      `Insufficient compute resources: ${reason}.`,
      { ...options, isRetryable: true },
    );
    this.reason = reason;
  }
}
