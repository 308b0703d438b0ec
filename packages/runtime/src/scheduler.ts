// @nova/runtime/scheduler: what nova-scheduler needs.
import type { NovaConfig } from "@nova/config";
import { systemClock as messagingClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { createSchedulerService, type SchedulerService } from "@nova/scheduler-service";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";

/** nova-scheduler from nova.conf (`[filter_scheduler]`, `[scheduler]`, `[metrics]` are parsed by the scheduler). */
export function buildScheduler(
  config: NovaConfig,
  deps: { transport: Transport; dbs: NovaDatabases; logger: NovaLogger },
): SchedulerService {
  return createSchedulerService({
    transport: deps.transport,
    cellDb: deps.dbs.cellDb,
    apiDb: deps.dbs.apiDb,
    cellUuid: deps.dbs.cellUuid,
    clock: messagingClock,
    logger: deps.logger,
    serviceRegistration: { rpcResponseTimeout: config.DEFAULT.rpc_response_timeout },
    config: {
      DEFAULT: {
        host: config.DEFAULT.host,
        service_down_time: String(config.DEFAULT.service_down_time),
        report_interval: String(config.DEFAULT.report_interval),
        default_availability_zone: config.DEFAULT.default_availability_zone,
      },
      ...(config.raw.filter_scheduler ? { filter_scheduler: config.raw.filter_scheduler } : {}),
      ...(config.raw.scheduler ? { scheduler: config.raw.scheduler } : {}),
      ...(config.raw.metrics ? { metrics: config.raw.metrics } : {}),
    } as never,
  });
}
