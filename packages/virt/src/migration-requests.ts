import type { ImageMeta } from "./model/image-meta.js";
import type { DriverInstance } from "./model/instance.js";

/** What finish_migration needs on the destination, as Nova's `finish_migration(..., disk_info, ...)`. */
export interface FinishMigrationRequest {
  /** The guest at its new size (the new flavor), as it will run here. */
  readonly instance: DriverInstance;
  /** What migrate_disk_and_power_off answered on the source (the disks it moved). */
  readonly diskInfo: string;
  /** The image the guest was booted from. */
  readonly imageMeta?: ImageMeta;
  /** True for a resize (the flavor changed), false for a cold migration. */
  readonly resizeInstance: boolean;
  /** Start the guest (false when it was stopped before the move). */
  readonly powerOn: boolean;
}
