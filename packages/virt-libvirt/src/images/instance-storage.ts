import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type DriverInstance, type ImageMeta, ImageUnacceptableError } from "@nova/virt";
import type { ImageCache } from "./image-cache.js";
import type { QemuImg } from "./qemu-img.js";

const GiB = 1024 ** 3;

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
    const dir = join(this.#instancesPath, uuid);
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
    if (!imageMeta.id)
      throw new ImageUnacceptableError("(none)", "booting without an image is not supported");
    const files = this.filesFor(instance.uuid, imageMeta);
    await mkdir(files.dir, { recursive: true });
    const base = await this.#cache.ensureDiskImage(imageMeta.id);
    const rootBytes = instance.flavor.rootGb * GiB;
    if (rootBytes > 0 && rootBytes < base.virtualSize) {
      throw new ImageUnacceptableError(
        imageMeta.id,
        `flavor's disk is too small for requested image: flavor ${instance.flavor.rootGb} GiB, image ${base.virtualSize} bytes`,
        { instanceUuid: instance.uuid },
      );
    }
    const size = rootBytes > 0 ? rootBytes : undefined;
    const tmp = `${files.disk}.part`;
    try {
      if (this.#imagesType === "qcow2") {
        await this.#qemuImg.createOverlay(base.path, base.format, tmp, size);
      } else {
        await this.#qemuImg.convert(base.path, base.format, tmp, "raw");
        if (size !== undefined && size > base.virtualSize) await this.#qemuImg.resize(tmp, "raw", size);
      }
      await rename(tmp, files.disk);
    } finally {
      await rm(tmp, { force: true });
    }
    const { kernelId, ramdiskId } = imageMeta.properties;
    if (kernelId && files.kernel) await this.#cache.copyFileImage(kernelId, files.kernel);
    if (ramdiskId && files.ramdisk) await this.#cache.copyFileImage(ramdiskId, files.ramdisk);
    return files;
  }

  /** The base images the instances' qcow2 overlays are backed by (what the image cache must keep). */
  async baseImagesInUse(): Promise<Set<string>> {
    const inUse = new Set<string>();
    const entries = await readdir(this.#instancesPath, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === "_base") continue;
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
