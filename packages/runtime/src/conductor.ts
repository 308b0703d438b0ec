// @nova/runtime/conductor: what nova-conductor needs (and only that: see ./compute.ts for why it matters).

import { type ConductorService, createConductorService } from "@nova/conductor";
import type { NovaConfig } from "@nova/config";
import { systemClock as serviceClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";

/** nova-conductor from nova.conf. */
export function buildConductor(
  config: NovaConfig,
  deps: { transport: Transport; dbs: NovaDatabases; logger: NovaLogger },
): ConductorService {
  return createConductorService({
    transport: deps.transport,
    apiDb: deps.dbs.apiDb,
    cellDb: deps.dbs.cellDb,
    cell0Db: deps.dbs.cell0Db,
    clock: serviceClock,
    logger: deps.logger,
    config: {
      host: config.DEFAULT.host,
      instance_build_timeout: config.DEFAULT.instance_build_timeout,
      report_interval: config.DEFAULT.report_interval,
      service_down_time: config.DEFAULT.service_down_time,
      rpc_response_timeout: config.DEFAULT.rpc_response_timeout,
      long_rpc_timeout: config.DEFAULT.long_rpc_timeout,
      cell_uuid: deps.dbs.cellUuid,
      ...(config.upgrade_levels.compute ? { upgrade_levels_compute: config.upgrade_levels.compute } : {}),
      ...(config.upgrade_levels.scheduler
        ? { upgrade_levels_scheduler: config.upgrade_levels.scheduler }
        : {}),
    },
  });
}
