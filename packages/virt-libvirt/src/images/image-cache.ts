import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { ImageUnacceptableError } from "@nova/virt";
import type { ImageSource } from "./image-source.js";
import type { QemuImg } from "./qemu-img.js";

/** A base image in the cache. */
export interface CachedImage {
  /** The base file. */
  readonly path: string;
  /** "qcow2" or "raw". */
  readonly format: "qcow2" | "raw";
  /** The size the guest sees, in bytes. */
  readonly virtualSize: number;
}

/**
 * The base images of this host, one file per image id under `<instances_path>/_base` (named by the SHA-1 of
 * the id, as Nova names them). A base is downloaded once, checked against the catalog's checksum, refused if it
 * has a backing file, converted to raw unless it is qcow2 or raw already, and appears only complete (written
 * under a temporary name, flushed, then renamed). Concurrent requests for one image share one download.
 */
export class ImageCache {
  readonly #baseDir: string;
  readonly #source: ImageSource;
  readonly #qemuImg: QemuImg;
  readonly #inflight = new Map<string, Promise<CachedImage>>();

  /** Caches bases under `baseDir`, downloaded from `source`. */
  constructor(options: { baseDir: string; source: ImageSource; qemuImg: QemuImg }) {
    this.#baseDir = options.baseDir;
    this.#source = options.source;
    this.#qemuImg = options.qemuImg;
  }

  /** The cache file an image id maps to. */
  pathFor(imageId: string): string {
    return join(this.#baseDir, createHash("sha1").update(imageId).digest("hex"));
  }

  /** Returns the cached base of a disk image, downloading it first when missing. */
  ensureDiskImage(imageId: string): Promise<CachedImage> {
    return this.#once(`disk:${imageId}`, async () => {
      const path = this.pathFor(imageId);
      if (!(await exists(path))) await this.#download(imageId, path, true);
      const info = await this.#qemuImg.info(path);
      return { path, format: info.format === "qcow2" ? "qcow2" : "raw", virtualSize: info.virtualSize };
    });
  }

  /** Copies an image used as a plain file (a kernel or ramdisk) to `dest`, through the cache. */
  async copyFileImage(imageId: string, dest: string): Promise<void> {
    const path = this.pathFor(imageId);
    await this.#once(`file:${imageId}`, async () => {
      if (!(await exists(path))) await this.#download(imageId, path, false);
      return { path, format: "raw", virtualSize: (await stat(path)).size };
    });
    await copyFile(path, dest);
  }

  /**
   * Removes bases no instance uses any more and not touched for `minAgeMs` (Nova's image cache manager, with
   * remove_unused_original_minimum_age_seconds). Returns the removed paths.
   */
  async removeUnused(inUse: ReadonlySet<string>, minAgeMs: number, now: number): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#baseDir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of names) {
      const path = join(this.#baseDir, name);
      if (name.includes(".part-") || inUse.has(path) || this.#inflight.size > 0) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || now - info.mtimeMs < minAgeMs) continue;
      await rm(path, { force: true });
      removed.push(path);
    }
    return removed;
  }

  #once(key: string, work: () => Promise<CachedImage>): Promise<CachedImage> {
    const running = this.#inflight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #download(imageId: string, path: string, isDisk: boolean): Promise<void> {
    await mkdir(this.#baseDir, { recursive: true });
    const tmp = `${path}.part-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      const download = await this.#source.open(imageId);
      const hash = download.checksum ? createHash(download.checksum.algorithm) : undefined;
      const out = createWriteStream(tmp, { mode: 0o644 });
      await pipeline(
        download.stream,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash?.update(chunk);
            yield chunk;
          }
        },
        out,
      );
      if (download.checksum && hash) {
        const actual = hash.digest("hex");
        if (actual !== download.checksum.hex.toLowerCase()) {
          throw new ImageUnacceptableError(
            imageId,
            `${download.checksum.algorithm} checksum mismatch: expected ${download.checksum.hex}, got ${actual}`,
          );
        }
      }
      if (isDisk) await this.#checkDisk(imageId, tmp);
      await fsync(tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async #checkDisk(imageId: string, tmp: string): Promise<void> {
    const info = await this.#qemuImg.info(tmp);
    // An image pointing at a backing file could read any file on the host: Nova refuses them, so do we.
    if (info.backingFilename) {
      throw new ImageUnacceptableError(imageId, `image has a backing file (${info.backingFilename})`);
    }
    if (info.format !== "qcow2" && info.format !== "raw") {
      const converted = `${tmp}.raw`;
      try {
        await this.#qemuImg.convert(tmp, info.format, converted, "raw");
        await rename(converted, tmp);
      } finally {
        await rm(converted, { force: true });
      }
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
