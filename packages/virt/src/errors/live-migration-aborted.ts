import { VirtError } from "./virt-error.js";

/** The live migration was stopped by liveMigrationAbort; the guest still runs on the source. */
export class LiveMigrationAbortedError extends VirtError {
  declare readonly code: "LIVE_MIGRATION_ABORTED";

  /** Builds the error for the instance whose migration was aborted. */
  constructor(instanceUuid: string) {
    super("LIVE_MIGRATION_ABORTED", "MigrationError", `Live migration of ${instanceUuid} was aborted.`, {
      instanceUuid,
    });
  }
}
