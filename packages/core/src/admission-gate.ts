import type { Clock, TimerHandle } from "./clock.js";

/** Options of an {@link AdmissionGate}. */
export interface AdmissionGateOptions {
  /** Tasks admitted at once; the rest wait in arrival order. */
  limit: number;
  /**
   * Milliseconds after which an admitted task gives its slot to the next one while it goes on running: a task
   * waiting on something slow (a cell that does not answer, an identity service retrying) must not hold the
   * queue behind it. 0 or absent: a task holds its slot until it settles.
   */
  leaseMs?: number;
  /** Times the leases; required with `leaseMs`. */
  clock?: Clock;
}

/**
 * Admits at most `limit` tasks at a time, first come first served. Under a closed-loop load, tasks that all
 * run at once share the CPU and finish in a random order (a long tail); admitted a few at a time they finish
 * in the order they came, each after about the same wait.
 */
export class AdmissionGate {
  private readonly limit: number;
  private readonly leaseMs: number;
  private readonly clock: Clock | undefined;
  private readonly queue: Array<() => void> = [];
  private held = 0;

  /** A gate admitting `options.limit` tasks at a time; throws RangeError on a limit below one. */
  constructor(options: AdmissionGateOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError(`AdmissionGate limit must be a positive integer, not ${options.limit}`);
    this.limit = options.limit;
    this.leaseMs = options.leaseMs ?? 0;
    this.clock = options.clock;
    if (this.leaseMs > 0 && !this.clock) throw new RangeError("AdmissionGate leaseMs needs a clock");
  }

  /** Slots held now. */
  get running(): number {
    return this.held;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `task` once a slot is free; settles as the task does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.held < this.limit) this.held++;
    // The slot is handed over by the task that frees it (`held` stays counted), so no later arrival can take
    // it first.
    else await new Promise<void>((admit) => this.queue.push(admit));
    let released = false;
    let lease: TimerHandle | undefined;
    const release = () => {
      if (released) return;
      released = true;
      lease?.cancel();
      const next = this.queue.shift();
      if (next) next();
      else this.held--;
    };
    if (this.leaseMs > 0) lease = this.clock!.setTimer(this.leaseMs, release, { keepAlive: false });
    try {
      return await task();
    } finally {
      release();
    }
  }
}
