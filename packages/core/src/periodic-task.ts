import type { Clock, TimerHandle } from "./clock.js";
import { errorMessage, type Logger } from "./logger.js";

/** How a {@link PeriodicTask} is timed, in Nova's `periodic_task` terms. */
export interface PeriodicTaskOptions {
  /** The task's name, for logs. */
  name: string;
  /**
   * Spacing between the starts of two runs (Nova's `spacing`), in milliseconds. `null`, zero or negative
   * disables the task, as a negative `*_interval` option does in Nova.
   */
  spacingMs: number | null;
  /** Run once at start instead of one spacing later (Nova's `run_immediately`). Default false. */
  runImmediately?: boolean;
  /**
   * Up to this many milliseconds of random delay before the first run (Nova's `periodic_fuzzy_delay`), so
   * services restarted together do not all hit the database at once. Default 0.
   */
  fuzzyDelayMs?: number;
  /**
   * Exact delay before the first run, in milliseconds, in place of `runImmediately` and the spacing (oslo.service's
   * `initial_delay` of a looping call: a heartbeat staggered across a fleet). The fuzzy delay still adds to it.
   */
  initialDelayMs?: number;
  /** Random source for the fuzzy delay; injected so tests are exact. Default Math.random. */
  random?: () => number;
}

/**
 * Runs `run` every `spacingMs`, as Nova's periodic tasks: start to start, never two at once (a run longer
 * than the spacing delays the next one, which then starts at once), a failure logged and the next run still
 * scheduled. `stop()` resolves once the run under way, if any, has finished.
 */
export class PeriodicTask {
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private lastStart = 0;

  /** A stopped task: `start()` schedules `run` on `clock`, and failures of `run` are logged on `logger`. */
  constructor(
    private readonly options: PeriodicTaskOptions,
    private readonly run: () => Promise<void> | void,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** True when the spacing enables the task. */
  get enabled(): boolean {
    return this.options.spacingMs !== null && this.options.spacingMs > 0;
  }

  /** Schedules the first run (one spacing from now plus the fuzzy delay, or at once with `runImmediately`). */
  start(): void {
    if (this.running || !this.enabled) return;
    this.running = true;
    const fuzz = Math.floor((this.options.random ?? Math.random)() * (this.options.fuzzyDelayMs ?? 0));
    const first =
      this.options.initialDelayMs ?? (this.options.runImmediately ? 0 : (this.options.spacingMs as number));
    this.schedule(first + fuzz);
  }

  /**
   * Brings the next scheduled run forward to now; the runs after it keep the spacing from this one (a heartbeat
   * sent at once when its transport comes back). Does nothing when stopped or while a run is under way, since
   * the next run then follows that one anyway.
   */
  trigger(): void {
    if (!this.running || this.inFlight || !this.timer) return;
    this.timer.cancel();
    this.schedule(0);
  }

  /** Runs the task now (outside its schedule), waiting for a run under way first. */
  async runNow(): Promise<void> {
    await this.inFlight;
    await this.execute();
  }

  /** Stops scheduling; resolves once a run under way has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimer(
      Math.max(0, delayMs),
      () => {
        this.timer = undefined;
        void this.execute().then(() => {
          const spacing = this.options.spacingMs as number;
          this.schedule(this.lastStart + spacing - this.clock.now());
        });
      },
      { keepAlive: false },
    );
  }

  private execute(): Promise<void> {
    this.lastStart = this.clock.now();
    // The run starts in the timer's own callback (a clock that fires timers synchronously sees it begun); a
    // synchronous throw is handled as a rejection.
    let started: Promise<void> | void;
    try {
      started = this.run();
    } catch (err) {
      started = Promise.reject(err);
    }
    const run = Promise.resolve(started).catch((err: unknown) => {
      this.logger.warn({ task: this.options.name, err: errorMessage(err) }, "periodic task failed");
    });
    this.inFlight = run;
    void run.then(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    return run;
  }
}
