import { closeSync, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ImageCatalogFileError } from "./image-catalog-file-error.js";
import type { ImageCatalog, ImageRecord } from "./image-record.js";

/** What an image update may change (Glance's image-update and upload, as far as nova-ts needs). */
export interface ImageChanges {
  /** A new name. */
  name?: string | null;
  /** `queued` -> `saving` -> `active` as a snapshot is taken; `killed` when it failed. */
  status?: string;
  /** Bytes, once uploaded. */
  size?: number | null;
  /** Where the bits are, for drivers that read them. */
  file?: string;
  /** Properties merged into the image's. */
  properties?: Record<string, unknown>;
}

/**
 * A catalogue that takes new images: snapshots (createImage, createBackup, shelve) are created by nova-api
 * as `queued` records and filled by the compute that takes them, as Nova does with Glance.
 */
export interface ImageStore extends ImageCatalog {
  /** Adds an image (Glance's image-create); `id` is required. */
  create(entry: {
    id: string;
    name?: string | null;
    status?: string;
    min_ram?: number;
    min_disk?: number;
    size?: number | null;
    properties?: Record<string, unknown>;
  }): Promise<ImageRecord>;
  /** Changes an image; ImageNotFoundError when there is none. */
  update(imageId: string, changes: ImageChanges): Promise<ImageRecord>;
  /** Removes an image (a backup rotated out, a shelved snapshot no longer needed); ImageNotFoundError if none. */
  delete(imageId: string): Promise<void>;
}

// A writer dead for this long left its lock behind: take it over.
const STALE_LOCK_MS = 10_000;

/**
 * Runs `fn` holding `<path>.lock` (created exclusively), so nova-api and the computes sharing a state folder
 * never write the catalogue at once. The wait is short: a holder only reads, changes and renames one file.
 */
export async function withCatalogFileLock<T>(path: string, fn: () => T): Promise<T> {
  const lock = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2000) {
        throw new ImageCatalogFileError(path, `cannot lock the catalogue: ${String(err)}`, { cause: err });
      }
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        // Released meanwhile: try again.
      }
      await sleep(5);
      continue;
    }
    try {
      return fn();
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

/** Writes the catalogue file whole, through a rename, so a reader never sees half of it. */
export function writeCatalogFile(path: string, entries: readonly unknown[]): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ images: entries }, null, 2)}\n`);
  renameSync(tmp, path);
}
