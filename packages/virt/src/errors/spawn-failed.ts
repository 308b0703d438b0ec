import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** Spawning the guest failed on this host; another host may succeed (the compute manager reschedules). */
export class SpawnFailedError extends VirtError {
  readonly code = "SpawnFailed" as const;
  override readonly isRetryable = true;
  readonly reason: string;

  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Failed to spawn instance ${instanceUuid}: ${reason}`, { instanceUuid, cause: options.cause });
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is SpawnFailedError {
    return hasVirtErrorCode(error, "SpawnFailed");
  }
}
