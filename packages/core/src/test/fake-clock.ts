import { type Clock, sleepOn, type TimerHandle } from "../clock.js";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A {@link Clock} that moves only when told. `advance` fires the timers that fall due one at a time, in time
 * order, letting promise chains settle after each (so a timer set by async work within the span fires too, at
 * its own time): await it.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pendingWaiters: Array<{ count: number; resolve: () => void }> = [];

  /** Starts the clock at `start` (epoch milliseconds; a fixed date by default, so tests are repeatable). */
  constructor(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    this.wakePendingWaiters();
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing every timer due on the way and letting the work they start settle. */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      await settle();
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, target);
  }

  /** Fires every timer due now, and what they schedule for now, letting promises settle in between. */
  async runDue(): Promise<void> {
    await this.advance(0);
  }

  /** Jumps the clock without firing timers (a clock step on this host). */
  set(ms: number): void {
    this.current = ms;
  }

  /** Timers still waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Resolves once at least `count` timers wait: how a test knows the code under test, several I/O hops away,
   * has reached its sleep before it moves time.
   */
  whenPending(count = 1): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pendingWaiters.push({ count, resolve });
      this.wakePendingWaiters();
    });
  }

  /** When the earliest waiting timer falls due, or undefined when none waits. */
  get nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  private wakePendingWaiters(): void {
    this.pendingWaiters = this.pendingWaiters.filter((w) => {
      if (this.timers.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  private nextDue(target: number): Timer | undefined {
    let next: Timer | undefined;
    for (const t of this.timers) {
      if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
    }
    return next;
  }
}

/** Lets chained promise callbacks (several hops deep) and I/O callbacks already queued run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
