import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The image cannot be used: bad checksum, unknown format, larger than the flavor's disk, ... */
export class ImageUnacceptableError extends VirtError {
  readonly code = "ImageUnacceptable" as const;
  readonly imageId: string;
  readonly reason: string;

  constructor(imageId: string, reason: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super(`Image ${imageId} is unacceptable: ${reason}`, options);
    this.imageId = imageId;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ImageUnacceptableError {
    return hasVirtErrorCode(error, "ImageUnacceptable");
  }
}
