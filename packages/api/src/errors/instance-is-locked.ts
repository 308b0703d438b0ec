import { ComputeBackendError } from "./compute-backend-error.js";

/** The instance is locked against changes. */
export class InstanceIsLockedError extends ComputeBackendError {
  readonly code = "InstanceIsLocked";
  readonly httpStatus = 409;

  constructor(readonly instanceUuid: string) {
    super(`Instance ${instanceUuid} is locked`);
  }
}
