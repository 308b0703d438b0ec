import { ComputeBackendError } from "./compute-backend-error.js";

/** No image with this id in the image catalog. */
export class ImageNotFoundError extends ComputeBackendError {
  readonly code = "ImageNotFound";
  readonly httpStatus = 404;

  constructor(readonly imageId: string) {
    super(`Image ${imageId} could not be found.`);
  }
}
