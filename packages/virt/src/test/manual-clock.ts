import type { VirtClock } from "../clock.js";

interface Sleeper {
  readonly until: number;
  readonly resolve: () => void;
}

/** A clock that moves only when told: sleeps resolve as `advance` passes their deadline. */
export class ManualClock implements VirtClock {
  #now: number;
  #sleepers: Sleeper[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#sleepers.push({ until: this.#now + Math.max(0, ms), resolve });
      this.#wakeWaiters();
    });
  }

  /** How many sleeps are pending. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /** Resolves once at least `count` sleeps are pending (to know code under test reached its sleep). */
  whenSleeping(count = 1): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiters.push({ count, resolve });
      this.#wakeWaiters();
    });
  }

  /** Moves time forward, waking every sleep due, in deadline order, and lets their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!due) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.until);
      due.resolve();
      // Let the woken code run (and maybe sleep again) before looking for the next due sleep.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#now = target;
  }

  #wakeWaiters(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#sleepers.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}
