import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ServiceGroupConfig } from "./config.js";
import type { HeartbeatStore } from "./heartbeat-store.js";
import type { LivenessObserver } from "./liveness-observer.js";
import type { ServiceNotifier } from "./service-notifier.js";

/** Options of a {@link DownServiceMonitor}. */
export interface DownServiceMonitorOptions {
  /** Where services are read and recorded down. */
  store: HeartbeatStore;
  /** The clock checks are timed on and "now" is read from. */
  clock: Clock;
  /** `service_down_time`, and `report_interval` for the default check spacing. */
  config: Pick<ServiceGroupConfig, "serviceDownTime" | "reportInterval">;
  /** Where each service found down is logged. */
  logger: Logger;
  /** Told once per transition to down (`service.update` notifications). */
  notifier?: ServiceNotifier;
  /** Told of each service recorded down (metrics). */
  observer?: LivenessObserver;
  /** Seconds between checks; defaults to report_interval (at least 1 s). */
  checkIntervalSec?: number;
}

/**
 * The conductor's periodic check: records in the database every service whose last report is older than
 * service_down_time, and notifies `service.update` once per transition, so every reader and every operator
 * tool agrees on who is down without each polling the timestamps.
 */
export class DownServiceMonitor {
  private readonly task: PeriodicTask;

  /** Builds a monitor; nothing is checked before {@link DownServiceMonitor.start}. */
  constructor(private readonly opts: DownServiceMonitorOptions) {
    const intervalSec = opts.checkIntervalSec ?? Math.max(1, opts.config.reportInterval);
    this.task = new PeriodicTask(
      { name: "down-service check", spacingMs: intervalSec * 1000 },
      async () => {
        await this.check();
      },
      opts.clock,
      opts.logger,
    );
  }

  /** Starts checking every interval (the first check one interval from now). */
  start(): void {
    this.task.start();
  }

  /** Stops checking; resolves once a check under way has finished. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** Runs one check now; returns the services it recorded down. */
  async check(): Promise<string[]> {
    const { store, clock, config, logger, notifier, observer } = this.opts;
    const now = clock.now();
    const down = await store.markDown(now - config.serviceDownTime * 1000, now);
    for (const s of down) {
      logger.warn({ host: s.host, binary: s.binary, last_seen_up: s.lastSeenUp }, "Service is down");
      observer?.transition(s, "down");
      await notifier?.serviceUpdate(s, "down");
    }
    return down.map((s) => `${s.binary}@${s.host}`);
  }
}
