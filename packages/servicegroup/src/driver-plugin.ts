import type { Clock, Logger } from "@nova/core";
import type { ServiceGroupConfig } from "./config.js";
import type { RecordedHeartbeat } from "./heartbeat-recorder.js";
import type { HeartbeatReport } from "./heartbeat-store.js";
import type { ServiceGroupDriver } from "./service-group.js";
import type { ServiceKey, ServiceRecord } from "./service-record.js";

/** What a servicegroup driver named in nova.conf (`[DEFAULT] servicegroup_driver = my-drivers#RedisDriver`) is built with. */
export interface ServiceGroupDriverContext {
  /** `report_interval` and `service_down_time` as the service group uses them (after Nova's correction). */
  readonly serviceGroup: Pick<ServiceGroupConfig, "reportInterval" | "serviceDownTime">;
  /** nova.conf as given, group by group (raw strings): a driver parses its own group. */
  readonly config: Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;
  /** The clock liveness is judged by (a fake one in tests). */
  readonly clock: Clock;
  /** Where the driver logs. */
  readonly logger: Logger;
}

/**
 * A servicegroup driver nova.conf can name, as Nova's memcache driver: heartbeats are written to the driver's
 * store and liveness is read from it, while the service rows (registration, disabled, forced down) stay in the
 * database. One instance serves every service of a process (a control plane's computes share it). Calls that
 * throw or hang cost one missed report or one service read down, never the service (see ServiceGroup).
 */
export interface ServiceGroupDriverPlugin {
  /** Called once when a service joins, before its first report (Nova's `Driver.join`). */
  join?(service: ServiceKey): void | Promise<void>;
  /**
   * Records one heartbeat (Nova's `_report_state`); resolves with the instant it was recorded, or with nothing
   * (the caller's clock then stands for it).
   */
  sendReport(service: ServiceKey, report: HeartbeatReport): Promise<RecordedHeartbeat | undefined>;
  /** Whether a service (not forced down: that is checked first) is up now (Nova's `Driver.is_up`). */
  isUp(service: ServiceRecord): boolean | Promise<boolean>;
  /** Called once when a service leaves (it stopped). */
  leave?(service: ServiceKey): void | Promise<void>;
  /** Releases the driver's connections when the process stops. */
  close?(): Promise<void>;
}

/** A servicegroup driver class nova.conf can name: constructed once per process with its context. */
export type ServiceGroupDriverClass = new (context: ServiceGroupDriverContext) => ServiceGroupDriverPlugin;

/** The methods a ServiceGroupDriverPlugin must have, for a loader's shape check. */
export const SERVICE_GROUP_DRIVER_METHODS = ["sendReport", "isUp"] as const;

/**
 * The service group's view of a plug-in: reports go through its `sendReport`, liveness through its `isUp`;
 * it reads no service rows (those come from the database, as with Nova's memcache driver).
 */
export function pluginServiceGroupDriver(
  name: string,
  plugin: ServiceGroupDriverPlugin,
  clock: Pick<Clock, "now">,
): ServiceGroupDriver {
  return {
    name,
    reader: undefined,
    sender: {
      async sendReport(service, report) {
        const recorded = await plugin.sendReport(service, report);
        if (recorded) return recorded;
        const now = clock.now();
        return { lastSeenUp: now, updatedAt: now };
      },
    },
    ...(plugin.join ? { join: (s: ServiceKey) => plugin.join!(s) } : {}),
    ...(plugin.leave ? { leave: (s: ServiceKey) => plugin.leave!(s) } : {}),
    isUp: (s) => plugin.isUp(s),
  };
}
