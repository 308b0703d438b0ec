import type { Clock } from "./clock.js";

/** How patiently {@link retry} tries again, in oslo.db's `wrap_db_retry` terms. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 tries once. A negative value retries forever (oslo.db's -1). */
  maxRetries: number;
  /** Wait before the first retry, in milliseconds. */
  intervalMs: number;
  /** Double the wait after each retry (oslo.db's `db_inc_retry_interval`), up to `maxIntervalMs`. */
  incInterval: boolean;
  /** The longest wait between two attempts, in milliseconds. */
  maxIntervalMs: number;
  /** Whether an error is worth another attempt; others are thrown at once. */
  isRetryable: (err: unknown) => boolean;
  /** Whose time the waits are measured in. */
  clock: Pick<Clock, "sleep">;
  /** Aborts the waits (the signal's reason is thrown). */
  signal?: AbortSignal;
  /** The wait to use instead of the computed one, e.g. a server's `Retry-After` carried by the error. */
  waitFor?: (err: unknown, computedWaitMs: number) => number;
  /** Called before each wait, with the attempt that failed (1-based), its error and the coming wait. */
  onRetry?: (attempt: number, err: unknown, waitMs: number) => void;
  /** Maps the last error once retries are used up (default: throw it unchanged). */
  onExhausted?: (attempts: number, err: unknown) => unknown;
}

/**
 * The wait before retry number `retry` (1-based): the interval, doubled each time when asked, capped. As in
 * oslo.db, the cap bounds only the doubled waits: the interval itself is always waited as given.
 */
export function retryDelay(
  options: Pick<RetryOptions, "intervalMs" | "incInterval" | "maxIntervalMs">,
  retry: number,
): number {
  if (!options.incInterval || retry <= 1) return options.intervalMs;
  return Math.min(options.intervalMs * 2 ** (retry - 1), options.maxIntervalMs);
}

/**
 * Runs `fn`, and runs it again while it fails with a retryable error, waiting as {@link retryDelay} says
 * between attempts, at most `maxRetries` more times.
 */
export async function retry<T>(options: RetryOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!options.isRetryable(err)) throw err;
      if (options.maxRetries >= 0 && attempt > options.maxRetries) {
        throw options.onExhausted ? options.onExhausted(attempt, err) : err;
      }
      const computed = retryDelay(options, attempt);
      const waitMs = options.waitFor ? options.waitFor(err, computed) : computed;
      options.onRetry?.(attempt, err, waitMs);
      await options.clock.sleep(waitMs, options.signal);
    }
  }
}
