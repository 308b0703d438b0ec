/** A cancellable timer returned by {@link Clock.setTimer}. */
export interface TimerHandle {
  cancel(): void;
}

/** Time as the service group sees it: injected so heartbeat rules are tested without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** The wall clock and Node's timers. Timers are unref'd so a reporter never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
