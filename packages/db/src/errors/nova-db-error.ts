/** Stable codes of every error this package raises. */
export type NovaDbErrorCode =
  | "DB_URL_UNSUPPORTED"
  | "DB_URL_INVALID"
  | "DB_CONFIG_INVALID"
  | "DB_NOT_FOUND"
  | "DB_DUPLICATE"
  | "DB_UNEXPECTED_TASK_STATE"
  | "DB_UNEXPECTED_VM_STATE"
  | "DB_DEADLOCK"
  | "DB_CONNECTION_LOST"
  | "DB_RETRIES_EXHAUSTED"
  | "DB_SCHEMA_NEWER_THAN_CODE"
  | "DB_MIGRATION_FAILED"
  | "DB_CLAIM_REJECTED"
  | "DB_GENERATION_CONFLICT"
  | "DB_INVALID_SORT_KEY"
  | "DB_MARKER_NOT_FOUND";

const TAG = "nova.db.NovaDbError";

/** Base of every @nova/db error: a stable `code`, whether retrying may help, and the cause. */
export class NovaDbError extends Error {
  readonly tag = TAG;
  constructor(
    readonly code: NovaDbErrorCode,
    message: string,
    readonly isRetryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  /** Works across duplicate copies of this package; optionally checks the code. */
  static isInstance(err: unknown, code?: NovaDbErrorCode): err is NovaDbError {
    return (
      typeof err === "object" &&
      err !== null &&
      (err as { tag?: unknown }).tag === TAG &&
      (code === undefined || (err as { code?: unknown }).code === code)
    );
  }
}
