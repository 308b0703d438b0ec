// @nova/runtime/scheduler: what nova-scheduler needs.
import { type NovaConfig, parseGroup } from "@nova/config";
import { systemClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import type { SchedulingObserver } from "@nova/scheduler";
import {
  createSchedulerService,
  parseSchedulerServiceConfig,
  type SchedulerService,
  type SchedulerServiceConfigInput,
} from "@nova/scheduler-service";
import { serviceCellConnections } from "./conductor-cells.js";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";
import { type SchedulerPlugins, withPluginNames } from "./scheduler-plugins.js";
import type { LoadedServiceGroupDriver } from "./servicegroup-driver.js";
import { messagingOptions } from "./transport.js";

export { loadSchedulerPlugins, type SchedulerPlugins } from "./scheduler-plugins.js";

// The groups nova-scheduler reads; @nova/scheduler-service declares their options.
const SCHEDULER_GROUPS = ["DEFAULT", "filter_scheduler", "scheduler", "metrics"] as const;

/**
 * nova-scheduler's slice of nova.conf: its own groups as given (plug-in specifiers replaced by the names the
 * loaded `plugins` registered), and the `[DEFAULT]` options it shares.
 */
export function schedulerServiceConfig(
  config: Pick<NovaConfig, "DEFAULT" | "raw">,
  plugins?: SchedulerPlugins,
): SchedulerServiceConfigInput {
  const d = config.DEFAULT;
  const input: SchedulerServiceConfigInput = {
    DEFAULT: {
      host: d.host,
      service_down_time: d.service_down_time,
      report_interval: d.report_interval,
      default_availability_zone: d.default_availability_zone,
      cell_timeout: d.cell_timeout,
    },
    ...(config.raw.filter_scheduler
      ? { filter_scheduler: withPluginNames(config.raw.filter_scheduler, plugins) }
      : {}),
    ...(config.raw.scheduler ? { scheduler: config.raw.scheduler } : {}),
    ...(config.raw.metrics ? { metrics: config.raw.metrics } : {}),
  };
  // Checked here so a bad option is a ConfigError naming it (exit 2 at start); the service parses it again.
  parseGroup(config, SCHEDULER_GROUPS, () => parseSchedulerServiceConfig(input));
  return input;
}

/**
 * nova-scheduler from nova.conf (`[filter_scheduler]`, `[scheduler]`, `[metrics]` are parsed by the scheduler),
 * with the filters and weighers {@link loadSchedulerPlugins} loaded from it.
 */
export function buildScheduler(
  config: NovaConfig,
  deps: {
    transport: Transport;
    dbs: NovaDatabases;
    logger: NovaLogger;
    plugins?: SchedulerPlugins;
    /** Told of every decision (a console, and/or the process's `telemetry.schedulingObserver`). */
    schedulingObserver?: SchedulingObserver | undefined;
    /** The servicegroup driver `servicegroup_driver` named (loadServiceGroupDriver); `db` when absent. */
    serviceGroup?: LoadedServiceGroupDriver | undefined;
  },
): SchedulerService {
  // Over a real broker the scheduler places into every enabled cell mapped (a super conductor's scheduler).
  // On SIGHUP the scheduler re-reads the cells too (a cell added or disabled), as Nova's does.
  let reloadCells = async () => {};
  const cells = config.DEFAULT.transport_url.startsWith("fake://")
    ? undefined
    : serviceCellConnections(config, {
        dbs: deps.dbs,
        logger: deps.logger,
        afterReload: () => reloadCells(),
      });
  const service = createSchedulerService({
    ...(deps.serviceGroup
      ? { serviceGroup: deps.serviceGroup.serviceGroup, serviceIsUp: deps.serviceGroup.serviceIsUp }
      : {}),
    ...(cells
      ? {
          // Read afresh each time (at start, on SIGHUP, after discover_hosts maps a host in a new cell).
          otherCells: async () => {
            const mapped = await cells.connections.refresh();
            const others = mapped.filter(
              (c) => c.uuid !== CELL0_UUID && c.uuid !== deps.dbs.cellUuid && !c.disabled,
            );
            return Promise.all(
              others.map(async (c) => ({
                cellUuid: c.uuid ?? "",
                cellDb: await cells.connections.database(c.uuid ?? ""),
              })),
            );
          },
        }
      : {}),
    transport: deps.transport,
    cellDb: deps.dbs.cellDb,
    apiDb: deps.dbs.apiDb,
    cellUuid: deps.dbs.cellUuid,
    clock: systemClock,
    logger: deps.logger,
    serviceRegistration: { rpcResponseTimeout: messagingOptions(config).rpc_response_timeout },
    config: schedulerServiceConfig(config, deps.plugins),
    ...(deps.plugins ? { plugins: deps.plugins.registry } : {}),
    schedulingObserver: deps.schedulingObserver,
  });
  if (!cells) return service;
  reloadCells = () => service.reloadCells();
  const stop = service.stop.bind(service);
  return Object.assign(service, {
    stop: async () => {
      await stop();
      await cells.close();
    },
  });
}
