// @nova/runtime/conductor: what nova-conductor needs (and only that: see ./compute.ts for why it matters).

import { type ConductorConfigInput, type ConductorService, createConductorService } from "@nova/conductor";
import type { NovaConfig } from "@nova/config";
import { systemClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { mappedCellTargets, serviceCellConnections } from "./conductor-cells.js";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";
import type { ServiceTelemetry } from "./service-telemetry.js";
import type { LoadedServiceGroupDriver } from "./servicegroup-driver.js";
import { messagingOptions } from "./transport.js";
import { versionedNotifier } from "./versioned-notifier.js";

/** nova-conductor's slice of nova.conf, as @nova/conductor reads it. */
export function conductorConfig(
  config: Pick<NovaConfig, "DEFAULT" | "raw" | "upgrade_levels">,
  cellUuid: string,
): ConductorConfigInput {
  const d = config.DEFAULT;
  const messaging = messagingOptions(config);
  return {
    host: d.host,
    instance_build_timeout: d.instance_build_timeout,
    report_interval: d.report_interval,
    service_down_time: d.service_down_time,
    rpc_response_timeout: messaging.rpc_response_timeout,
    long_rpc_timeout: d.long_rpc_timeout,
    executor_thread_pool_size: messaging.executor_thread_pool_size,
    cell_uuid: cellUuid,
    ...(config.upgrade_levels.compute ? { upgrade_levels_compute: config.upgrade_levels.compute } : {}),
    ...(config.upgrade_levels.scheduler ? { upgrade_levels_scheduler: config.upgrade_levels.scheduler } : {}),
  };
}

/** nova-conductor from nova.conf. */
export function buildConductor(
  config: NovaConfig,
  deps: {
    transport: Transport;
    dbs: NovaDatabases;
    logger: NovaLogger;
    /** Metrics: reschedules, faults, liveness transitions and heartbeat ages, when the process has them. */
    telemetry?: Pick<ServiceTelemetry, "metrics" | "activityObserver" | "livenessObserver">;
    /** The servicegroup driver `servicegroup_driver` named (loadServiceGroupDriver); `db` when absent. */
    serviceGroup?: LoadedServiceGroupDriver | undefined;
  },
): ConductorService {
  // Over a real broker: a super conductor, building into the chosen host's cell over that cell's broker.
  const cells = config.DEFAULT.transport_url.startsWith("fake://")
    ? undefined
    : serviceCellConnections(config, { dbs: deps.dbs, logger: deps.logger });
  const service = createConductorService({
    ...(deps.serviceGroup
      ? { serviceGroup: deps.serviceGroup.serviceGroup, serviceIsUp: deps.serviceGroup.serviceIsUp }
      : {}),
    ...(cells
      ? {
          targets: mappedCellTargets(config, {
            dbs: deps.dbs,
            transport: deps.transport,
            connections: cells.connections,
          }),
        }
      : {}),
    transport: deps.transport,
    apiDb: deps.dbs.apiDb,
    cellDb: deps.dbs.cellDb,
    cell0Db: deps.dbs.cell0Db,
    clock: systemClock,
    logger: deps.logger,
    config: conductorConfig(config, deps.dbs.cellUuid),
    notifier: versionedNotifier(config, deps.transport),
    activity: deps.telemetry?.activityObserver,
    liveness: deps.telemetry?.livenessObserver,
  });
  // Heartbeat ages come from the services table at each scrape: the truth whichever conductor recorded them.
  deps.telemetry?.metrics?.watchHeartbeats(() => service.heartbeatStore.listServices(), systemClock);
  if (!cells) return service;
  const stop = service.stop;
  return Object.assign(service, {
    stop: async () => {
      await stop();
      await cells.close();
    },
  });
}
