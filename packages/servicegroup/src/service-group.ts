import { type Clock, errorMessage, type Logger } from "@nova/core";
import type { ServiceGroupConfig } from "./config.js";
import { ServiceGroupDriverTimeoutError, ServiceListUnavailableError } from "./errors.js";
import type { RecordedHeartbeat } from "./heartbeat-recorder.js";
import { HeartbeatReporter } from "./heartbeat-reporter.js";
import type { HeartbeatReport } from "./heartbeat-store.js";
import { isServiceUp } from "./liveness.js";
import { type ServiceKey, type ServiceRecord, serviceKeyId } from "./service-record.js";

/** Carries one report of a joined service to whoever records it (for the db driver: an RPC call to conductor). */
export interface HeartbeatSender {
  /** Sends one report and resolves with the timestamps the recorder stored; rejects when it was not recorded. */
  sendReport(service: ServiceKey, report: HeartbeatReport): Promise<RecordedHeartbeat>;
}

/** Reads service rows for {@link ServiceGroup.upServices} (for the db driver: the cell database). */
export interface ServiceReader {
  /** The service rows, optionally of one topic or binary. */
  listServices(filter?: { topic?: string; binary?: string }): Promise<ServiceRecord[]>;
}

/**
 * A servicegroup driver: how reports travel and where liveness is read. `db` sends reports to the
 * conductor over RPC and reads the services table; `memory` keeps both in this process. A driver named in
 * nova.conf (`servicegroup_driver = my-drivers#RedisDriver`, a ServiceGroupDriverPlugin) brings its own
 * sender and liveness (`isUp`), as Nova's memcache driver does, while the service rows stay in the database.
 */
export interface ServiceGroupDriver {
  /** The driver's name as `servicegroup_driver` spells it (`db`, `memory`, `my-drivers#RedisDriver`). */
  readonly name: string;
  /** How this process's reports travel. */
  readonly sender: HeartbeatSender;
  /** Where liveness is read; undefined when this process cannot read the services (a compute's `db` driver). */
  readonly reader: ServiceReader | undefined;
  /** Called once when a service joins, before its first report (Nova's `Driver.join`). */
  join?(service: ServiceKey): void | Promise<void>;
  /** Called once when a service leaves. */
  leave?(service: ServiceKey): void | Promise<void>;
  /** Whether a service not forced down is up (Nova's `Driver.is_up`); without it, the heartbeat timestamps decide. */
  isUp?(service: ServiceRecord): boolean | Promise<boolean>;
}

/** Dependencies of a {@link ServiceGroup}. */
export interface ServiceGroupOptions {
  /** `report_interval` and `service_down_time`. */
  config: ServiceGroupConfig;
  /** How reports travel and where liveness is read. */
  driver: ServiceGroupDriver;
  /** The clock reports are timed on and liveness is judged by. */
  clock: Clock;
  /** Where reporting outages and recoveries are logged. */
  logger: Logger;
  /**
   * Milliseconds any one call into the driver (join, report, isUp) may take before it counts as failed; none by
   * default (the db driver's reports are bounded by rpc_response_timeout). Set for drivers loaded by name, so a
   * hung plug-in costs one missed report or one service read down, never the heartbeat loop.
   */
  driverCallTimeoutMs?: number | undefined;
}

/** A service that joined the group and reports its heartbeats. */
export interface Membership {
  /** The service that joined. */
  readonly service: ServiceKey;
  /** The reporter sending its heartbeats. */
  readonly reporter: HeartbeatReporter;
  /** The timestamps the recorder last answered with, null before the first report. */
  readonly lastRecorded: RecordedHeartbeat | null;
}

/** Nova's servicegroup API: join a group and report, and tell which services are up. */
export class ServiceGroup {
  private readonly members = new Map<string, { membership: Membership; reportCount: number }>();

  /** Builds a group; nothing reports before a service joins. */
  constructor(private readonly opts: ServiceGroupOptions) {}

  /** Starts reporting `service` every report_interval; its first report goes out at once. */
  join(service: ServiceKey, opts: { initialReportCount?: number; initialDelayMs?: number } = {}): Membership {
    const id = serviceKeyId(service);
    const existing = this.members.get(id);
    if (existing) return existing.membership;
    const { config, driver, clock, logger } = this.opts;
    const state = {
      membership: undefined as unknown as Membership,
      reportCount: opts.initialReportCount ?? 0,
    };
    let lastRecorded: RecordedHeartbeat | null = null;
    // The driver's join failing (or hanging) is logged and reporting goes on: a service is not stopped by its
    // liveness plug-in, and the reports themselves tell whether the driver works.
    const joined = driver.join
      ? this.callDriver("join", () => driver.join!(service)).catch((err: unknown) => {
          logger.warn(
            { host: service.host, binary: service.binary, driver: driver.name, err: errorMessage(err) },
            "servicegroup driver failed to join the service; reporting anyway",
          );
        })
      : undefined;
    const reporter = new HeartbeatReporter({
      service,
      intervalSec: config.reportInterval,
      initialDelayMs: opts.initialDelayMs ?? 0,
      clock,
      logger,
      report: async () => {
        await joined;
        const reportCount = state.reportCount + 1;
        lastRecorded = await this.callDriver("report", () =>
          driver.sender.sendReport(service, { host: service.host, binary: service.binary, reportCount }),
        );
        // Only a recorded report counts, as Nova's report_count does after a successful save.
        state.reportCount = reportCount;
      },
    });
    state.membership = {
      service,
      reporter,
      get lastRecorded() {
        return lastRecorded;
      },
    };
    this.members.set(id, state);
    // report_interval 0 turns reporting off, as in Nova.
    if (config.reportInterval > 0) reporter.start();
    return state.membership;
  }

  /** Stops reporting `service`. */
  async leave(service: Pick<ServiceKey, "host" | "binary">): Promise<void> {
    const id = serviceKeyId(service);
    const m = this.members.get(id);
    if (!m) return;
    this.members.delete(id);
    await m.membership.reporter.stop();
    const { driver, logger } = this.opts;
    if (driver.leave) {
      await this.callDriver("leave", () => driver.leave!(m.membership.service)).catch((err: unknown) => {
        logger.warn(
          { host: service.host, binary: service.binary, driver: driver.name, err: errorMessage(err) },
          "servicegroup driver failed to let the service leave",
        );
      });
    }
  }

  /** Stops every reporter of this process. */
  async leaveAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => this.leave(m.membership.service)));
  }

  /** Tells every reporter the transport is back, so a reporter that failed reports again at once. */
  nudge(): void {
    for (const m of this.members.values()) m.membership.reporter.nudge();
  }

  /** Whether a service is up: forced down is down, else its last heartbeat is within service_down_time. */
  isUp(service: ServiceRecord): boolean {
    return isServiceUp(service, this.opts.clock.now(), this.opts.config.serviceDownTime);
  }

  /**
   * Nova's `service_is_up`: forced down is down; otherwise the driver's `isUp` when it has one, else the
   * heartbeat timestamps. A driver's check that throws or outlasts driverCallTimeoutMs counts the service as
   * down, as Nova's API does when the driver's check raises: a liveness nobody can confirm is not up.
   */
  async serviceIsUp(service: ServiceRecord): Promise<boolean> {
    if (service.forcedDown) return false;
    const { driver, logger } = this.opts;
    if (!driver.isUp) return this.isUp(service);
    try {
      return (await this.callDriver("isUp", () => driver.isUp!(service))) === true;
    } catch (err) {
      logger.debug(
        { host: service.host, binary: service.binary, driver: driver.name, err: errorMessage(err) },
        "servicegroup driver could not tell whether the service is up; counting it down",
      );
      return false;
    }
  }

  /** The service's last update time (ms since the epoch), or null. */
  getUpdatedTime(service: ServiceRecord): number | null {
    return service.updatedAt;
  }

  /** The services of a topic that are up now. */
  async upServices(topic: string): Promise<ServiceRecord[]> {
    const reader = this.opts.driver.reader;
    if (!reader) {
      throw new ServiceListUnavailableError(this.opts.driver.name);
    }
    const services = await reader.listServices({ topic });
    return services.filter((s) => this.isUp(s));
  }

  // A call into the driver, bounded by driverCallTimeoutMs when set; a synchronous throw becomes a rejection.
  private async callDriver<T>(verb: string, call: () => T | Promise<T>): Promise<T> {
    const { driver, clock, driverCallTimeoutMs: ms } = this.opts;
    const result = Promise.resolve().then(call);
    if (ms === undefined || ms <= 0) return result;
    const timer = new AbortController();
    const expired = clock.sleep(ms, timer.signal).then(
      () => {
        throw new ServiceGroupDriverTimeoutError(driver.name, verb, ms);
      },
      () => undefined as never,
    );
    try {
      return await Promise.race([result, expired]);
    } finally {
      timer.abort();
    }
  }
}

/** The `db` driver: reports go through `sender` (RPC to conductor), services are read through `reader`. */
export function createDbDriver(deps: {
  sender: HeartbeatSender;
  reader?: ServiceReader;
}): ServiceGroupDriver {
  return { name: "db", sender: deps.sender, reader: deps.reader };
}
