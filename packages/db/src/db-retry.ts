import { type Clock, retry } from "@nova/core";
import { DuplicateEntryError } from "./errors/duplicate-entry-error.js";
import { NovaDbError } from "./errors/nova-db-error.js";
import { ConnectionLostError, DeadlockError, RetriesExhaustedError } from "./errors/transient-error.js";

/**
 * How often and how patiently a transaction is retried: oslo.db's `[database]` retry options, in their units
 * (seconds), as `wrap_db_retry` reads them.
 */
export interface RetryPolicy {
  /** `db_max_retries`: retries after the first attempt; -1 retries forever. Default 20. */
  maxRetries: number;
  /** `db_retry_interval`: seconds before the first retry. Default 1. */
  intervalSeconds: number;
  /** `db_inc_retry_interval`: double the wait after each retry. Default true. */
  incInterval: boolean;
  /** `db_max_retry_interval`: the longest wait, in seconds, once doubling. Default 10. */
  maxIntervalSeconds: number;
}

const MYSQL_DEADLOCK = new Set([1213, 1205]); // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
// Server gone / lost / killed / client idle timeout / shutting down / too many connections (another
// service's burst), and the driver's own socket errors.
const MYSQL_LOST = new Set([2006, 2013, 1927, 4031, 1053, 1040]);
const LOST_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ER_CONNECTION_KILLED",
  "ER_SERVER_SHUTDOWN",
  "ER_CLIENT_INTERACTION_TIMEOUT",
  "ER_CON_COUNT_ERROR",
]);

/** Maps a driver error to this package's typed errors (or returns it unchanged). */
export function classifyDbError(err: unknown, entity = "row"): unknown {
  if (NovaDbError.isInstance(err)) return err;
  const e = err as { errno?: unknown; code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const errno = typeof e?.errno === "number" ? e.errno : undefined;
  if (
    (errno !== undefined && MYSQL_DEADLOCK.has(errno)) ||
    code === "SQLITE_BUSY" ||
    code.startsWith("SQLITE_BUSY_") ||
    code === "SQLITE_LOCKED"
  ) {
    return new DeadlockError({ cause: err });
  }
  if (
    (errno !== undefined && MYSQL_LOST.has(errno)) ||
    LOST_CODES.has(code) ||
    /closed state|Connection lost/i.test(String(e?.message ?? ""))
  ) {
    return new ConnectionLostError({ cause: err });
  }
  if (errno === 1062 || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new DuplicateEntryError(entity, String(e?.message ?? ""), { cause: err });
  }
  return err;
}

/**
 * Runs `fn` and retries it whole while it fails with a retryable error (deadlock, lost connection), as
 * oslo.db's `wrap_db_retry` does: first after `intervalSeconds`, then (with `incInterval`) twice as long each
 * time up to `maxIntervalSeconds`, at most `maxRetries` more times; then raises RetriesExhaustedError. Other
 * errors pass through typed. The waits are `clock.sleep`s.
 */
export function withDbRetry<T>(
  policy: RetryPolicy,
  clock: Pick<Clock, "sleep">,
  fn: () => Promise<T>,
  entity?: string,
): Promise<T> {
  return retry(
    {
      maxRetries: policy.maxRetries,
      intervalMs: policy.intervalSeconds * 1000,
      incInterval: policy.incInterval,
      maxIntervalMs: policy.maxIntervalSeconds * 1000,
      clock,
      isRetryable: (err) => NovaDbError.isInstance(err) && err.isRetryable,
      onExhausted: (attempts, err) => new RetriesExhaustedError(attempts, err as NovaDbError),
    },
    async () => {
      try {
        return await fn();
      } catch (raw) {
        throw classifyDbError(raw, entity);
      }
    },
  );
}
