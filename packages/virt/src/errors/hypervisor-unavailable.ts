import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The connection to the hypervisor is broken; it may come back. */
export class HypervisorUnavailableError extends VirtError {
  readonly code = "HypervisorUnavailable" as const;
  override readonly isRetryable = true;

  constructor(detail?: string, options: { cause?: unknown } = {}) {
    super(`Connection to the hypervisor is broken on host${detail ? `: ${detail}` : ""}`, options);
  }

  static override isInstance(error: unknown): error is HypervisorUnavailableError {
    return hasVirtErrorCode(error, "HypervisorUnavailable");
  }
}
