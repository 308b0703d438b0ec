import { ComputeBackendError } from "./compute-backend-error.js";

/** The instance has no host yet (still scheduling), so the action cannot be sent. */
export class InstanceNotReadyError extends ComputeBackendError {
  readonly code = "InstanceNotReady";
  readonly httpStatus = 409;

  constructor(readonly instanceId: string) {
    super(`Instance ${instanceId} is not ready`);
  }
}
