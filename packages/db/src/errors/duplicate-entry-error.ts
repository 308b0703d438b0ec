import { NovaDbError } from "./nova-db-error.js";

/** A unique constraint refused the row (a keypair name, a flavor id, a service host/binary, ...). */
export class DuplicateEntryError extends NovaDbError {
  constructor(
    /** What kind of row (KeyPair, Flavor, Service, ...). */
    readonly entity: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("DB_DUPLICATE", `${entity} already exists: ${message}`, false, options);
  }
}
