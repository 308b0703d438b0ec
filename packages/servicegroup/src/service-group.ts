import type { Clock, Logger } from "@nova/core";
import type { ServiceGroupConfig } from "./config.js";
import { ServiceListUnavailableError } from "./errors.js";
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
 * conductor over RPC and reads the services table; `memory` keeps both in this process. A memcached or
 * Redis driver implements the same two faces (and, on its recording side, a HeartbeatStore).
 */
export interface ServiceGroupDriver {
  /** The driver's name as `servicegroup_driver` spells it (`db`, `memory`). */
  readonly name: string;
  /** How this process's reports travel. */
  readonly sender: HeartbeatSender;
  /** Where liveness is read; undefined when this process cannot read the services (a compute's `db` driver). */
  readonly reader: ServiceReader | undefined;
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
    const reporter = new HeartbeatReporter({
      service,
      intervalSec: config.reportInterval,
      initialDelayMs: opts.initialDelayMs ?? 0,
      clock,
      logger,
      report: async () => {
        const reportCount = state.reportCount + 1;
        lastRecorded = await driver.sender.sendReport(service, {
          host: service.host,
          binary: service.binary,
          reportCount,
        });
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
}

/** The `db` driver: reports go through `sender` (RPC to conductor), services are read through `reader`. */
export function createDbDriver(deps: {
  sender: HeartbeatSender;
  reader?: ServiceReader;
}): ServiceGroupDriver {
  return { name: "db", sender: deps.sender, reader: deps.reader };
}
