import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ServiceKey } from "./service-record.js";

/** Options of a {@link HeartbeatReporter}. */
export interface HeartbeatReporterOptions {
  /** The service whose heartbeat this is. */
  service: ServiceKey;
  /** Seconds between the starts of two reports (`report_interval`). */
  intervalSec: number;
  /** Delay before the first report; Nova waits 5 s, a restarted service here reports at once by default. */
  initialDelayMs?: number;
  /** Sends one report; a rejection is a missed report, logged and retried at the next interval. */
  report: () => Promise<void>;
  /** The clock reports are timed on. */
  clock: Clock;
  /** Where an outage and its recovery are logged. */
  logger: Logger;
}

/**
 * Sends a service's heartbeat every interval for as long as it runs: a periodic task (start to start, never
 * overlapping, a slow report followed by the next at once). It never stops on errors and never throws into
 * its service: a report that fails (broker or conductor down, timeout) is logged once per outage and tried
 * again at the next interval, or at once when {@link HeartbeatReporter.nudge} says the transport is back.
 */
export class HeartbeatReporter {
  private readonly task: PeriodicTask;
  private inFlight: Promise<void> | undefined;
  private disconnected = false;
  private reports = 0;
  private failures = 0;

  /** Builds a reporter; nothing is sent before {@link HeartbeatReporter.start}. */
  constructor(private readonly opts: HeartbeatReporterOptions) {
    this.task = new PeriodicTask(
      {
        name: `heartbeat ${opts.service.binary}@${opts.service.host}`,
        spacingMs: opts.intervalSec * 1000,
        initialDelayMs: opts.initialDelayMs ?? 0,
      },
      () => this.track(this.runOnce()),
      opts.clock,
      opts.logger,
    );
  }

  /** Starts reporting (first report after initialDelayMs). Calling it twice does nothing. */
  start(): void {
    this.task.start();
  }

  /**
   * Stops reporting. A report under way is not waited for: a service stops when its conductor may be gone
   * too, and waiting would hold its shutdown for a whole rpc_response_timeout. That report ends on its own
   * (the transport's close fails it at once) and schedules nothing; {@link HeartbeatReporter.settled} waits
   * for it.
   */
  async stop(): Promise<void> {
    void this.task.stop();
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
    if (this.disconnected) this.task.trigger();
  }

  /** Counts for logs and tests: reports that succeeded and that failed, and whether the last one failed. */
  get stats(): { reports: number; failures: number; disconnected: boolean } {
    return { reports: this.reports, failures: this.failures, disconnected: this.disconnected };
  }

  private track(run: Promise<void>): Promise<void> {
    this.inFlight = run;
    void run.finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    return run;
  }

  private async runOnce(): Promise<void> {
    const { logger, service } = this.opts;
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
  }
}

function errorSummary(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
