import { VirtError } from "./virt-error.js";

/** The image cannot be used: bad checksum, unknown format, larger than the flavor's disk, ... */
export class ImageUnacceptableError extends VirtError {
  declare readonly code: "IMAGE_UNACCEPTABLE";
  /** The image concerned. */
  readonly imageId: string;
  /** Why the operation failed. */
  readonly reason: string;

  /** Builds the error; its message is Nova's. */
  constructor(imageId: string, reason: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super("IMAGE_UNACCEPTABLE", "ImageUnacceptable", `Image ${imageId} is unacceptable: ${reason}`, options);
    this.imageId = imageId;
    this.reason = reason;
  }
}
