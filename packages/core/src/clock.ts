/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  /** Cancels the timer; harmless once it has fired or was cancelled. */
  cancel(): void;
}

/** Options of {@link Clock.setTimer}. */
export interface TimerOptions {
  /**
   * False lets the process exit while this timer waits (Node's `unref`): heartbeats and periodic tasks must
   * never keep a stopping service alive. Default true.
   */
  keepAlive?: boolean;
}

/**
 * Time as every nova-ts package sees it. Services take a Clock as an argument so that time-based rules
 * (heartbeats, timeouts, periodic tasks, retries) are tested with {@link FakeClock} instead of sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now. */
  setTimer(ms: number, fn: () => void, options?: TimerOptions): TimerHandle;
  /** Resolves `ms` milliseconds from now; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A Node timer as a TimerHandle: a class, since every RPC call sets one (no closure per timer). */
class NodeTimer implements TimerHandle {
  constructor(private readonly timer: ReturnType<typeof setTimeout>) {}

  cancel(): void {
    clearTimeout(this.timer);
  }
}

/** The wall clock and Node's timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer(ms: number, fn: () => void, options?: TimerOptions): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, ms));
    if (options?.keepAlive === false) timer.unref();
    return new NodeTimer(timer);
  },
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(systemClock, ms, signal);
  },
});

/** `sleep` written once over `setTimer`, so every Clock's sleeps honour an AbortSignal the same way. */
export function sleepOn(clock: Pick<Clock, "setTimer">, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
