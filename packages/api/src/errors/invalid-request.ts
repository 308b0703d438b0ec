import { ComputeBackendError } from "./compute-backend-error.js";

/** The backend rejected the request as invalid (image not active, flavor too small, ...). */
export class InvalidRequestError extends ComputeBackendError {
  readonly code = "Invalid";
  readonly httpStatus = 400;

  constructor(message: string) {
    super(message);
  }
}
