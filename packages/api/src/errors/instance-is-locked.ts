import { ComputeBackendError } from "./compute-backend-error.js";

/** The instance is locked against changes. */
export class InstanceIsLockedError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Instance <uuid> is locked". */
  constructor(
    /** The locked instance. */
    readonly instanceUuid: string,
  ) {
    super("INSTANCE_IS_LOCKED", `Instance ${instanceUuid} is locked`);
  }
}
