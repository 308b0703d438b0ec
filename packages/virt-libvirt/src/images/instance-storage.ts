import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type DriverInstance, type ImageMeta, ImageUnacceptableError, type NetworkInfo } from "@nova/virt";
import type { ImageCache } from "./image-cache.js";
import type { QemuImg } from "./qemu-img.js";

const GiB = 1024 ** 3;
const GUEST_RECORD = "guest.json";

/** `[libvirt] images_type`: a qcow2 overlay on the cached base, or a flat raw copy of it. */
export type ImagesType = "qcow2" | "flat";

/** The files of one instance. */
export interface InstanceFiles {
  /** The instance's folder. */
  readonly dir: string;
  /** The root disk. */
  readonly disk: string;
  /** The root disk's format. */
  readonly diskFormat: "qcow2" | "raw";
  /** The kernel, for direct-boot images. */
  readonly kernel?: string;
  /** The ramdisk, for direct-boot images. */
  readonly ramdisk?: string;
  /** The serial console's log. */
  readonly consoleLog: string;
}

/**
 * What a guest was designed from besides its instance, kept beside its disk (`guest.json`) so the guest can be
 * designed again where the compute does not hand these over (the destination of a resize, a revert).
 */
export interface GuestRecord {
  /** The image the guest was built from. */
  readonly imageMeta: ImageMeta;
  /** The guest's NICs. */
  readonly networkInfo: NetworkInfo;
}

/** Files a rescue adds to the instance's folder (Nova's `.rescue` suffix), and the original domain kept aside. */
export interface RescueFiles {
  /** The rescue image's disk, booted first. */
  readonly disk: string;
  /** The rescue image's kernel, for direct-boot images. */
  readonly kernel?: string;
  /** The rescue image's ramdisk. */
  readonly ramdisk?: string;
  /** The original domain's XML (Nova's `unrescue.xml`). */
  readonly unrescueXml: string;
}

/**
 * An instance's folder under `instances_path` (`<instances_path>/<uuid>/`, as Nova lays it out): its root disk
 * made from the cached base image, the kernel and ramdisk of direct-boot images, the console log.
 */
export class InstanceStorage {
  readonly #instancesPath: string;
  readonly #cache: ImageCache;
  readonly #qemuImg: QemuImg;
  readonly #imagesType: ImagesType;

  /** Lays out instances under `instancesPath`, with bases from `cache`. */
  constructor(options: {
    instancesPath: string;
    cache: ImageCache;
    qemuImg: QemuImg;
    imagesType: ImagesType;
  }) {
    this.#instancesPath = options.instancesPath;
    this.#cache = options.cache;
    this.#qemuImg = options.qemuImg;
    this.#imagesType = options.imagesType;
  }

  /** Where an instance's files live (whether or not they exist yet). */
  filesFor(uuid: string, imageMeta?: ImageMeta): InstanceFiles {
    return this.filesIn(join(this.#instancesPath, uuid), imageMeta);
  }

  /** The instance's files as laid out in `dir` (its folder, or the `_resize` copy a migration keeps). */
  filesIn(dir: string, imageMeta?: ImageMeta): InstanceFiles {
    return {
      dir,
      disk: join(dir, "disk"),
      diskFormat: this.#imagesType === "qcow2" ? "qcow2" : "raw",
      ...(imageMeta?.properties.kernelId ? { kernel: join(dir, "kernel") } : {}),
      ...(imageMeta?.properties.ramdiskId ? { ramdisk: join(dir, "ramdisk") } : {}),
      consoleLog: join(dir, "console.log"),
    };
  }

  /** Creates the instance's folder and files from its image. */
  async prepare(instance: DriverInstance, imageMeta: ImageMeta): Promise<InstanceFiles> {
    const files = this.filesFor(instance.uuid, imageMeta);
    await mkdir(files.dir, { recursive: true });
    await this.#createDisk(instance, imageMeta, files.disk, instance.flavor.rootGb * GiB);
    await this.#copyBootFiles(imageMeta, files);
    return files;
  }

  /** Creates the rescue image's disk (and kernel, ramdisk) beside the instance's own files. */
  async prepareRescue(instance: DriverInstance, imageMeta: ImageMeta): Promise<RescueFiles> {
    const files = this.rescueFilesFor(instance.uuid, imageMeta);
    // Nova sizes the rescue disk by the image alone: the guest's own disk is the one the user cares about.
    await this.#createDisk(instance, imageMeta, files.disk, 0);
    await this.#copyBootFiles(imageMeta, files);
    return files;
  }

  /** Where a rescue's files are. */
  rescueFilesFor(uuid: string, imageMeta?: ImageMeta): RescueFiles {
    const dir = join(this.#instancesPath, uuid);
    return {
      disk: join(dir, "disk.rescue"),
      ...(imageMeta?.properties.kernelId ? { kernel: join(dir, "kernel.rescue") } : {}),
      ...(imageMeta?.properties.ramdiskId ? { ramdisk: join(dir, "ramdisk.rescue") } : {}),
      unrescueXml: join(dir, "unrescue.xml"),
    };
  }

  /** Removes a rescue's files (whichever exist). */
  async removeRescue(uuid: string): Promise<void> {
    const dir = join(this.#instancesPath, uuid);
    for (const name of ["disk.rescue", "kernel.rescue", "ramdisk.rescue", "unrescue.xml"]) {
      await rm(join(dir, name), { force: true });
    }
  }

  async #createDisk(
    instance: DriverInstance,
    imageMeta: ImageMeta,
    path: string,
    rootBytes: number,
  ): Promise<void> {
    if (!imageMeta.id)
      throw new ImageUnacceptableError("(none)", "booting without an image is not supported");
    const base = await this.#cache.ensureDiskImage(imageMeta.id);
    if (rootBytes > 0 && rootBytes < base.virtualSize) {
      throw new ImageUnacceptableError(
        imageMeta.id,
        `flavor's disk is too small for requested image: flavor ${instance.flavor.rootGb} GiB, image ${base.virtualSize} bytes`,
        { instanceUuid: instance.uuid },
      );
    }
    const size = rootBytes > 0 ? rootBytes : undefined;
    const tmp = `${path}.part`;
    try {
      if (this.#imagesType === "qcow2") {
        await this.#qemuImg.createOverlay(base.path, base.format, tmp, size);
      } else {
        await this.#qemuImg.convert(base.path, base.format, tmp, "raw");
        if (size !== undefined && size > base.virtualSize) await this.#qemuImg.resize(tmp, "raw", size);
      }
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async #copyBootFiles(
    imageMeta: ImageMeta,
    files: { readonly kernel?: string; readonly ramdisk?: string },
  ): Promise<void> {
    const { kernelId, ramdiskId } = imageMeta.properties;
    if (kernelId && files.kernel) await this.#cache.copyFileImage(kernelId, files.kernel);
    if (ramdiskId && files.ramdisk) await this.#cache.copyFileImage(ramdiskId, files.ramdisk);
  }

  /** Keeps what the guest was designed from (`guest.json`) beside its disk. */
  async writeRecord(dir: string, record: GuestRecord): Promise<void> {
    await writeFile(join(dir, GUEST_RECORD), `${JSON.stringify(record)}\n`);
  }

  /** Reads `guest.json` from `dir`. */
  async readRecord(dir: string): Promise<GuestRecord> {
    return JSON.parse(await readFile(join(dir, GUEST_RECORD), "utf8")) as GuestRecord;
  }

  // --- resize and cold migration ---------------------------------------------------------------------------

  /** Nova's `<instance>_resize`: where the source keeps the guest's files until the move is confirmed. */
  resizeDirFor(uuid: string): string {
    return join(this.#instancesPath, `${uuid}_resize`);
  }

  /** On the source: moves the instance's folder aside to `<uuid>_resize` (a stale one from an earlier move goes). */
  async moveAsideForResize(uuid: string): Promise<string> {
    const aside = this.resizeDirFor(uuid);
    await rm(aside, { recursive: true, force: true });
    await rename(join(this.#instancesPath, uuid), aside);
    return aside;
  }

  /** On the source, for a revert: the `_resize` folder becomes the instance's folder again. */
  async restoreFromResize(uuid: string): Promise<boolean> {
    const aside = this.resizeDirFor(uuid);
    if (!(await exists(aside))) return false;
    const dir = join(this.#instancesPath, uuid);
    await rm(dir, { recursive: true, force: true });
    await rename(aside, dir);
    return true;
  }

  /** On the source, once the move is confirmed: the `_resize` folder goes. */
  async removeResize(uuid: string): Promise<void> {
    await rm(this.resizeDirFor(uuid), { recursive: true, force: true });
  }

  /**
   * On the destination: copies a migrated guest's files from `sourceDir` into this host's folder for it, its
   * qcow2 overlay pointed at this host's copy of the base image, the root disk grown to `rootGb` when larger.
   */
  async adoptMigrated(uuid: string, sourceDir: string, rootGb: number): Promise<InstanceFiles> {
    const record = await this.readRecord(sourceDir);
    const files = this.filesFor(uuid, record.imageMeta);
    await rm(files.dir, { recursive: true, force: true });
    await mkdir(files.dir, { recursive: true });
    const from = this.filesIn(sourceDir, record.imageMeta);
    for (const [src, dest] of [
      [from.kernel, files.kernel],
      [from.ramdisk, files.ramdisk],
      [join(sourceDir, GUEST_RECORD), join(files.dir, GUEST_RECORD)],
    ] as const) {
      if (src && dest) await copyFile(src, dest);
    }
    const tmp = `${files.disk}.part`;
    try {
      await copyFile(from.disk, tmp);
      const info = await this.#qemuImg.info(tmp);
      if (info.backingFilename && record.imageMeta.id) {
        const base = await this.#cache.ensureDiskImage(record.imageMeta.id);
        if (base.path !== info.backingFilename) await this.#qemuImg.rebaseUnsafe(tmp, base.path, base.format);
      }
      const rootBytes = rootGb * GiB;
      if (rootBytes > info.virtualSize) await this.#qemuImg.resize(tmp, info.format, rootBytes);
      await rename(tmp, files.disk);
    } finally {
      await rm(tmp, { force: true });
    }
    return files;
  }

  /** The base images the instances' qcow2 overlays are backed by (what the image cache must keep). */
  async baseImagesInUse(): Promise<Set<string>> {
    const inUse = new Set<string>();
    const entries = await readdir(this.#instancesPath, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === "_base" || entry.name === "snapshots") continue;
      const disk = join(this.#instancesPath, entry.name, "disk");
      const info = await this.#qemuImg.info(disk).catch(() => undefined);
      if (info?.backingFilename) inUse.add(info.backingFilename);
    }
    return inUse;
  }

  /** Removes the instance's folder and everything in it. */
  async remove(uuid: string): Promise<void> {
    await rm(join(this.#instancesPath, uuid), { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
