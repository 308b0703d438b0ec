import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { NovaError } from "@nova/core";

const run = promisify(execFile);

/** What `qemu-img info` says about an image file. */
export interface QemuImgInfo {
  /** The image's format ("qcow2", "raw", ...). */
  readonly format: string;
  /** Size the guest sees, in bytes. */
  readonly virtualSize: number;
  /** Bytes allocated on the host. */
  readonly actualSize: number;
  /** The backing file, when the image has one. */
  readonly backingFilename?: string;
}

/** Thrown when qemu-img fails; carries its stderr. */
export class QemuImgError extends NovaError {
  declare readonly code: "QEMU_IMG_FAILED";

  /** Says which command failed and what qemu-img wrote to stderr. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("QEMU_IMG_FAILED", message, options);
  }
}

/** The qemu-img commands the image cache uses (run as child processes, arguments never through a shell). */
export class QemuImg {
  readonly #binary: string;

  /** `binary` is the qemu-img to run (default from the PATH). */
  constructor(binary = "qemu-img") {
    this.#binary = binary;
  }

  /** Reads an image's format and sizes (`qemu-img info`); `format` skips probing. */
  async info(path: string, format?: string): Promise<QemuImgInfo> {
    // --force-share: the image may be open by a running QEMU, which holds a write lock on it.
    const args = ["info", "--force-share", "--output=json", ...(format ? ["-f", format] : []), path];
    const info = JSON.parse(await this.#run(args)) as Record<string, unknown>;
    return {
      format: String(info.format),
      virtualSize: Number(info["virtual-size"]),
      actualSize: Number(info["actual-size"] ?? 0),
      ...(info["backing-filename"] ? { backingFilename: String(info["backing-filename"]) } : {}),
    };
  }

  /** Creates a qcow2 overlay backed by `base`; `sizeBytes` grows it past the base's size. */
  async createOverlay(base: string, baseFormat: string, path: string, sizeBytes?: number): Promise<void> {
    const args = ["create", "-q", "-f", "qcow2", "-F", baseFormat, "-b", base, path];
    if (sizeBytes !== undefined) args.push(String(sizeBytes));
    await this.#run(args);
  }

  /** Creates an empty image. */
  async create(path: string, format: "qcow2" | "raw", sizeBytes: number): Promise<void> {
    await this.#run(["create", "-q", "-f", format, path, String(sizeBytes)]);
  }

  /** Copies `source` into a new image of `format` at `path` (`qemu-img convert`). */
  async convert(source: string, sourceFormat: string, path: string, format: "qcow2" | "raw"): Promise<void> {
    await this.#run(["convert", "-q", "-f", sourceFormat, "-O", format, source, path]);
  }

  /**
   * Points a qcow2 overlay at another copy of its backing file (`qemu-img rebase -u`): the same bytes under
   * another host's image cache, so nothing is read or rewritten.
   */
  async rebaseUnsafe(path: string, backing: string, backingFormat: string): Promise<void> {
    await this.#run(["rebase", "-q", "-u", "-f", "qcow2", "-F", backingFormat, "-b", backing, path]);
  }

  /** Grows the image at `path` to `sizeBytes` (`qemu-img resize`). */
  async resize(path: string, format: string, sizeBytes: number): Promise<void> {
    await this.#run(["resize", "-q", "-f", format, path, String(sizeBytes)]);
  }

  async #run(args: string[]): Promise<string> {
    try {
      return (await run(this.#binary, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new QemuImgError(`qemu-img ${args[0]} failed: ${stderr || (error as Error).message}`, {
        cause: error,
      });
    }
  }
}
