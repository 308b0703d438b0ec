import { NovaError } from "@nova/core";

/** No image with this id in the catalogue (Nova's `ImageNotFound`). */
export class ImageNotFoundError extends NovaError {
  constructor(readonly imageId: string) {
    super("IMAGE_NOT_FOUND", `Image ${imageId} could not be found.`);
  }
}
