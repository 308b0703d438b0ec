import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The image (or its kernel or ramdisk) is not in the image catalog. */
export class ImageNotFoundError extends VirtError {
  readonly code = "ImageNotFound" as const;
  readonly imageId: string;

  constructor(imageId: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super(`Image ${imageId} could not be found.`, options);
    this.imageId = imageId;
  }

  static override isInstance(error: unknown): error is ImageNotFoundError {
    return hasVirtErrorCode(error, "ImageNotFound");
  }
}
