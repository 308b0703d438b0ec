import type { Clock } from "@nova/core";

/**
 * `clock` for stamping rows, except that sleeps (the waits between retries) end at the next turn of the
 * event loop: tests exercise deadlock and lost-connection retries without waiting, and without having to
 * advance a fake clock that a test may not be driving at that moment.
 */
export function withImmediateRetries(clock: Clock): Clock {
  return {
    now: () => clock.now(),
    setTimer: (ms, fn, options) => clock.setTimer(ms, fn, options),
    sleep: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        else setImmediate(resolve);
      }),
  };
}
