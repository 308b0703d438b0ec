import { DuplicateEntryError } from "./errors/duplicate-entry-error.js";
import { NovaDbError } from "./errors/nova-db-error.js";
import { ConnectionLostError, DeadlockError, RetriesExhaustedError } from "./errors/transient-error.js";

/** How often and how patiently to retry a transaction (oslo.db's db_max_retries and friends). */
export interface RetryPolicy {
  maxRetries: number;
  intervalSeconds: number;
  incInterval: boolean;
  maxIntervalSeconds: number;
  /** Injected so tests need not wait. */
  sleep: (ms: number) => Promise<void>;
}

const MYSQL_DEADLOCK = new Set([1213, 1205]); // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT
// Server gone / lost / killed / client idle timeout, and the driver's own socket errors.
const MYSQL_LOST = new Set([2006, 2013, 1927, 4031, 1053]);
const LOST_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ER_CONNECTION_KILLED",
  "ER_SERVER_SHUTDOWN",
  "ER_CLIENT_INTERACTION_TIMEOUT",
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
 * Runs `fn` and retries it whole while it fails with a retryable error (deadlock, lost connection),
 * at most `maxRetries` more times, then raises RetriesExhaustedError. Other errors pass through typed.
 */
export async function withDbRetry<T>(policy: RetryPolicy, fn: () => Promise<T>, entity?: string): Promise<T> {
  let interval = policy.intervalSeconds;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const err = classifyDbError(raw, entity);
      if (!NovaDbError.isInstance(err) || !err.isRetryable) throw err;
      if (attempt > policy.maxRetries) throw new RetriesExhaustedError(attempt, err);
      await policy.sleep(interval * 1000);
      if (policy.incInterval) interval = Math.min(interval * 2, policy.maxIntervalSeconds);
    }
  }
}
