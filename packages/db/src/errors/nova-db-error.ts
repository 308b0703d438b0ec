import { NovaError } from "@nova/core";

/** Stable codes of every error this package raises. */
export type NovaDbErrorCode =
  | "DB_URL_UNSUPPORTED"
  | "DB_URL_INVALID"
  | "DB_CONFIG_INVALID"
  | "DB_NOT_FOUND"
  | "DB_DUPLICATE"
  | "DB_UNEXPECTED_TASK_STATE"
  | "DB_UNEXPECTED_VM_STATE"
  | "DB_UNEXPECTED_MIGRATION_STATUS"
  | "DB_DEADLOCK"
  | "DB_CONNECTION_LOST"
  | "DB_RETRIES_EXHAUSTED"
  | "DB_SCHEMA_NEWER_THAN_CODE"
  | "DB_MIGRATION_FAILED"
  | "DB_CLAIM_REJECTED"
  | "DB_GENERATION_CONFLICT"
  | "DB_INVALID_SORT_KEY"
  | "DB_MARKER_NOT_FOUND"
  | "DB_UNSUPPORTED_REGEX";

/**
 * Base of every @nova/db error: a stable `code`, whether retrying may help, and the cause. Test one across
 * package copies with `NovaDbError.isInstance(err)`, or a code with `hasErrorCode(err, "DB_NOT_FOUND")` from
 * @nova/core.
 */
export class NovaDbError extends NovaError {
  /** Which failure this is. */
  declare readonly code: NovaDbErrorCode;

  /** Builds a database error with its `DB_*` code; `isRetryable` marks what a retry may fix. */
  constructor(code: NovaDbErrorCode, message: string, isRetryable = false, options?: { cause?: unknown }) {
    super(code, message, { isRetryable, ...(options?.cause === undefined ? {} : { cause: options.cause }) });
  }
}
