import { VirtError } from "./virt-error.js";

/** Spawning the guest failed on this host; another host may succeed (the compute manager reschedules). */
export class SpawnFailedError extends VirtError {
  declare readonly code: "SPAWN_FAILED";
  /** Why the operation failed. */
  readonly reason: string;

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super("SPAWN_FAILED", "SpawnFailed", `Failed to spawn instance ${instanceUuid}: ${reason}`, {
      instanceUuid,
      cause: options.cause,
      isRetryable: true,
    });
    this.reason = reason;
  }
}
