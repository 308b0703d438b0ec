import { NovaDbError } from "./nova-db-error.js";

/** A deadlock or lock timeout (MariaDB 1213/1205, SQLite BUSY): the whole transaction may be retried. */
export class DeadlockError extends NovaDbError {
  /** Builds the retryable error; `cause` is the driver's error. */
  constructor(options?: { cause?: unknown }) {
    super("DB_DEADLOCK", "database deadlock", true, options);
  }
}

/** The connection to the database went away mid-operation. */
export class ConnectionLostError extends NovaDbError {
  /** Builds the retryable error; `cause` is the driver's error. */
  constructor(options?: { cause?: unknown }) {
    super("DB_CONNECTION_LOST", "lost connection to the database", true, options);
  }
}

/** A retryable failure that kept happening after `db_max_retries` attempts; `cause` is the last one. */
export class RetriesExhaustedError extends NovaDbError {
  /** Builds the error from the attempt count and the last failure, kept as `cause`. */
  constructor(
    /** Attempts made, the first included. */
    readonly attempts: number,
    /** The last failure. */
    readonly last: NovaDbError,
  ) {
    super("DB_RETRIES_EXHAUSTED", `gave up after ${attempts} attempts: ${last.message}`, false, {
      cause: last,
    });
  }
}
