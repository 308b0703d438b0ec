import type { Clock, TimerHandle } from "./clock.js";
import type { Logger } from "./logger.js";
import type { ServiceKey } from "./service-record.js";

/** Options of a {@link HeartbeatReporter}. */
export interface HeartbeatReporterOptions {
  service: ServiceKey;
  /** Seconds between the starts of two reports. */
  intervalSec: number;
  /** Delay before the first report; Nova waits 5 s, a restarted service here reports at once by default. */
  initialDelayMs?: number;
  /** Sends one report; a rejection is a missed report, logged and retried at the next interval. */
  report: () => Promise<void>;
  clock: Clock;
  logger: Logger;
}

/**
 * Sends a service's heartbeat every interval for as long as it runs. It never stops on errors and never
 * throws into its service: a report that fails (broker or conductor down, timeout) is logged once per outage
 * and tried again at the next interval, or at once when {@link nudge} says the transport is back.
 */
export class HeartbeatReporter {
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private disconnected = false;
  private reports = 0;
  private failures = 0;

  constructor(private readonly opts: HeartbeatReporterOptions) {}

  /** Starts reporting (first report after initialDelayMs). Calling it twice does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.opts.initialDelayMs ?? 0);
  }

  /**
   * Stops reporting. A report under way is not waited for: a service stops when its conductor may be gone
   * too, and waiting would hold its shutdown for a whole rpc_response_timeout. That report ends on its own
   * (the transport's close fails it at once) and schedules nothing; {@link settled} waits for it.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Resolves once no report is under way. */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /**
   * Tells the reporter its transport has recovered: if the last report failed, the next one is sent now
   * instead of at the next interval, so the service is seen up again as soon as possible.
   */
  nudge(): void {
    if (!this.running || !this.disconnected || this.inFlight) return;
    this.timer?.cancel();
    this.schedule(0);
  }

  /** Counts for logs and tests: reports that succeeded and that failed, and whether the last one failed. */
  get stats(): { reports: number; failures: number; disconnected: boolean } {
    return { reports: this.reports, failures: this.failures, disconnected: this.disconnected };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimer(Math.max(0, delayMs), () => {
      this.timer = undefined;
      this.inFlight = this.runOnce().finally(() => {
        this.inFlight = undefined;
      });
    });
  }

  private async runOnce(): Promise<void> {
    const { clock, logger, service, intervalSec } = this.opts;
    const startedAt = clock.now();
    try {
      await this.opts.report();
      this.reports++;
      if (this.disconnected) {
        this.disconnected = false;
        logger.info(
          { host: service.host, binary: service.binary },
          "Recovered from being unable to report status",
        );
      }
    } catch (err) {
      this.failures++;
      // One warning per outage, as Nova does: a conductor restart would otherwise flood the log.
      if (!this.disconnected) {
        this.disconnected = true;
        logger.warn(
          { host: service.host, binary: service.binary, err: errorSummary(err) },
          "Lost connection to nova-conductor for reporting service status",
        );
      } else {
        logger.debug({ host: service.host, err: errorSummary(err) }, "Service status report failed again");
      }
    }
    // Keep a fixed cadence measured from the start of this report; a report slower than the interval is
    // followed by the next one at once rather than overlapping it.
    const elapsed = clock.now() - startedAt;
    this.schedule(intervalSec * 1000 - elapsed);
  }
}

function errorSummary(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
