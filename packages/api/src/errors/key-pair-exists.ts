import { ComputeBackendError } from "./compute-backend-error.js";

/** The user already has a key pair of this name (Nova's KeyPairExists). */
export class KeyPairExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  constructor(
    /** The name taken. */
    readonly keyName: string,
  ) {
    super("KEY_PAIR_EXISTS", `Key pair '${keyName}' already exists.`);
  }
}
