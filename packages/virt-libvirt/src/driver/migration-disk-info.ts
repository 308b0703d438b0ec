import { z } from "zod";
import { ResizeError } from "./resize-error.js";

/** What migrate_disk_and_power_off answers the destination (Nova's disk_info): where the guest's files wait. */
export interface MigrationDiskInfo {
  /** The source's `<uuid>_resize` folder, which the destination copies the guest's files from. */
  readonly sourceDir: string;
}

const diskInfoSchema = z.object({ sourceDir: z.string().min(1) });

/** Reads the disk info a source answered; a ResizeError when it is not this driver's. */
export function parseDiskInfo(diskInfo: string, instanceUuid: string): MigrationDiskInfo {
  try {
    return diskInfoSchema.parse(JSON.parse(diskInfo));
  } catch (error) {
    throw new ResizeError(
      instanceUuid,
      `disk info from the source is not the libvirt driver's: ${diskInfo}`,
      {
        cause: error,
      },
    );
  }
}
