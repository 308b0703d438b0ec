import type { Clock, TimerHandle } from "./clock.js";
import type { ServiceGroupConfig } from "./config.js";
import type { HeartbeatStore } from "./heartbeat-store.js";
import type { Logger } from "./logger.js";
import type { ServiceNotifier } from "./service-notifier.js";

/** Options of a {@link DownServiceMonitor}. */
export interface DownServiceMonitorOptions {
  store: HeartbeatStore;
  clock: Clock;
  config: Pick<ServiceGroupConfig, "serviceDownTime" | "reportInterval">;
  logger: Logger;
  notifier?: ServiceNotifier;
  /** Seconds between checks; defaults to report_interval (at least 1 s). */
  checkIntervalSec?: number;
}

/**
 * The conductor's periodic check: records in the database every service whose last report is older than
 * service_down_time, and notifies `service.update` once per transition, so every reader and every operator
 * tool agrees on who is down without each polling the timestamps.
 */
export class DownServiceMonitor {
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly opts: DownServiceMonitorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.inFlight;
  }

  /** Runs one check now; returns the services it recorded down. */
  async check(): Promise<string[]> {
    const { store, clock, config, logger, notifier } = this.opts;
    const now = clock.now();
    const down = await store.markDown(now - config.serviceDownTime * 1000, now);
    for (const s of down) {
      logger.warn({ host: s.host, binary: s.binary, last_seen_up: s.lastSeenUp }, "Service is down");
      await notifier?.serviceUpdate(s, "down");
    }
    return down.map((s) => `${s.binary}@${s.host}`);
  }

  private schedule(): void {
    if (!this.running) return;
    const interval = this.opts.checkIntervalSec ?? Math.max(1, this.opts.config.reportInterval);
    this.timer = this.opts.clock.setTimer(interval * 1000, () => {
      this.inFlight = this.check()
        .then(
          () => undefined,
          (err: unknown) => this.opts.logger.error({ err: String(err) }, "Down-service check failed"),
        )
        .finally(() => {
          this.inFlight = undefined;
          this.schedule();
        });
    });
  }
}
