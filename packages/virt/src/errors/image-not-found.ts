import { VirtError } from "./virt-error.js";

/** The image (or its kernel or ramdisk) is not in the image catalog. */
export class ImageNotFoundError extends VirtError {
  declare readonly code: "IMAGE_NOT_FOUND";
  /** The image concerned. */
  readonly imageId: string;

  /** Builds the error; its message is Nova's. */
  constructor(imageId: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super("IMAGE_NOT_FOUND", "ImageNotFound", `Image ${imageId} could not be found.`, options);
    this.imageId = imageId;
  }
}
