import { ComputeBackendError } from "./compute-backend-error.js";

/** No image with this id in the image catalog. */
export class ImageNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Image <id> could not be found." */
  constructor(
    /** The image id asked for. */
    readonly imageId: string,
  ) {
    super("IMAGE_NOT_FOUND", `Image ${imageId} could not be found.`);
  }
}
