import { ComputeBackendError } from "./compute-backend-error.js";

/** A public key that does not parse as its type says (Nova's InvalidKeypair; the API answers 400). */
export class InvalidKeyPairError extends ComputeBackendError {
  /** 400. */
  readonly httpStatus = 400;

  constructor(
    /** Why, as Nova words it (`failed to generate fingerprint`). */
    readonly reason: string,
  ) {
    super("INVALID_KEYPAIR", `Keypair data is invalid: ${reason}`);
  }
}
