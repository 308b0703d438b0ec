import { ComputeBackendError } from "./compute-backend-error.js";

/** The user has no key pair of this name (Nova's KeypairNotFound). */
export class KeyPairNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  constructor(
    /** The owner looked in. */
    readonly userId: string,
    /** The key pair name asked for. */
    readonly keyName: string,
  ) {
    super("KEYPAIR_NOT_FOUND", `Keypair ${keyName} not found for user ${userId}`);
  }
}
