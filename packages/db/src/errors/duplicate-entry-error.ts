import { NovaDbError } from "./nova-db-error.js";

/** A unique constraint refused the row (a keypair name, a flavor id, a service host/binary, ...). */
export class DuplicateEntryError extends NovaDbError {
  /** Builds "<entity> already exists: <message>"; `cause` is the driver's constraint error. */
  constructor(
    /** What kind of row (KeyPair, Flavor, Service, ...). */
    readonly entity: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("DB_DUPLICATE", `${entity} already exists: ${message}`, false, options);
  }
}
