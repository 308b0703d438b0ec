import { describe, expect, it } from "vitest";
import { retry, retryDelay } from "./retry.js";
import { FakeClock } from "./test/index.js";

const transient = Object.assign(new Error("deadlock"), { retryable: true });
const isRetryable = (e: unknown) => (e as { retryable?: boolean }).retryable === true;

describe("retry", () => {
  it("doubles the wait up to the maximum, as oslo.db's inc_retry_interval", () => {
    const opts = { intervalMs: 1000, incInterval: true, maxIntervalMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(opts, n))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(retryDelay({ ...opts, incInterval: false }, 4)).toBe(1000);
  });

  it("waits the interval as given even above the cap, as wrap_db_retry's first sleep does", () => {
    const opts = { intervalMs: 5000, incInterval: true, maxIntervalMs: 2000 };
    expect([1, 2, 3].map((n) => retryDelay(opts, n))).toEqual([5000, 2000, 2000]);
    expect(retryDelay({ ...opts, incInterval: false }, 3)).toBe(5000);
  });

  it("retries a retryable failure with those waits and returns the first success", async () => {
    const clock = new FakeClock(0);
    const waits: number[] = [];
    let calls = 0;
    const result = retry(
      {
        maxRetries: 5,
        intervalMs: 100,
        incInterval: true,
        maxIntervalMs: 250,
        isRetryable,
        clock,
        onRetry: (_a, _e, w) => waits.push(w),
      },
      async () => {
        if (++calls < 4) throw transient;
        return calls;
      },
    );
    await clock.advance(1000);
    await expect(result).resolves.toBe(4);
    expect(waits).toEqual([100, 200, 250]);
  });

  it("throws a non-retryable error at once and maps exhaustion", async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    await expect(
      retry(
        { maxRetries: 3, intervalMs: 1, incInterval: false, maxIntervalMs: 1, isRetryable, clock },
        async () => {
          calls++;
          throw new Error("bad request");
        },
      ),
    ).rejects.toThrow("bad request");
    expect(calls).toBe(1);
    calls = 0;
    const exhausted = retry(
      {
        maxRetries: 2,
        intervalMs: 1,
        incInterval: false,
        maxIntervalMs: 1,
        isRetryable,
        clock,
        onExhausted: (n) => new Error(`gave up after ${n}`),
      },
      async () => {
        calls++;
        throw transient;
      },
    );
    const settled = exhausted.catch((e: Error) => e.message);
    await clock.advance(10);
    expect(await settled).toBe("gave up after 3");
    expect(calls).toBe(3);
  });

  it("stops waiting when the signal aborts", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const run = retry(
      {
        maxRetries: -1,
        intervalMs: 1000,
        incInterval: false,
        maxIntervalMs: 1000,
        isRetryable,
        clock,
        signal: controller.signal,
      },
      async () => {
        throw transient;
      },
    );
    const settled = run.catch((e: unknown) => e);
    await clock.advance(2500);
    controller.abort(new Error("stopping"));
    expect(((await settled) as Error).message).toBe("stopping");
  });

  it("waits what waitFor says instead of the computed wait (a server's Retry-After)", async () => {
    const clock = new FakeClock(0);
    const waits: number[] = [];
    let calls = 0;
    const result = retry(
      {
        maxRetries: 3,
        intervalMs: 100,
        incInterval: false,
        maxIntervalMs: 100,
        isRetryable,
        clock,
        waitFor: (_err, computed) => (calls === 1 ? 3000 : computed),
        onRetry: (_a, _e, w) => waits.push(w),
      },
      async () => {
        if (++calls < 3) throw transient;
        return calls;
      },
    );
    await clock.advance(5000);
    await expect(result).resolves.toBe(3);
    expect(waits).toEqual([3000, 100]);
  });
});
