import { NovaError } from "@nova/core";

/** No image with this id in the catalogue (Nova's `ImageNotFound`). */
export class ImageNotFoundError extends NovaError {
  /** Builds Nova's "Image <id> could not be found." */
  constructor(
    /** The image id asked for. */
    readonly imageId: string,
  ) {
    super("IMAGE_NOT_FOUND", `Image ${imageId} could not be found.`);
  }
}
