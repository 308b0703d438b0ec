import { VirtError } from "./virt-error.js";

/** The connection to the hypervisor is broken; it may come back. */
export class HypervisorUnavailableError extends VirtError {
  declare readonly code: "HYPERVISOR_UNAVAILABLE";

  /** Builds the error; its message is Nova's. */
  constructor(detail?: string, options: { cause?: unknown } = {}) {
    super(
      "HYPERVISOR_UNAVAILABLE",
      "HypervisorUnavailable",
      `Connection to the hypervisor is broken on host${detail ? `: ${detail}` : ""}`,
      { ...options, isRetryable: true },
    );
  }
}
