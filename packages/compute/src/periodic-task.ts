import type { Clock, TimerHandle } from "@nova/servicegroup";
import type { Logger } from "./logger.js";

/**
 * Runs `run` every `intervalMs` (null: never), measured from the end of the previous run so two never overlap,
 * as Nova's periodic tasks. A failed run is logged and the next one still comes.
 */
export class PeriodicTask {
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number | null,
    private readonly run: () => Promise<void>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Schedules the first run one interval from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops scheduling; resolves once a run under way has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(): void {
    if (!this.running || this.intervalMs === null) return;
    this.timer = this.clock.setTimer(this.intervalMs, () => {
      this.timer = undefined;
      this.inFlight = this.run()
        .catch((err: unknown) => {
          this.logger.warn(
            { task: this.name, err: err instanceof Error ? err.message : String(err) },
            "periodic task failed",
          );
        })
        .finally(() => {
          this.inFlight = undefined;
          this.schedule();
        });
    });
  }
}
