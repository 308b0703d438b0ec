import { type ApiServer, createApiServer } from "@nova/api";
import { DbComputeBackend, type ImageCatalog } from "@nova/api-backend";
import { type ComputeService, createComputeService } from "@nova/compute";
import { type ConductorService, createConductorService } from "@nova/conductor";
import type { NovaConfig } from "@nova/config";
import { systemClock as messagingClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { createSchedulerService, type SchedulerService } from "@nova/scheduler-service";
import { systemClock as serviceClock } from "@nova/servicegroup";
import type { ComputeDriver } from "@nova/virt";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";

/** Something an app starts and, on SIGTERM, stops (draining what is in flight). */
export interface RunnableService {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const num = (v: number | undefined) => v;

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

/** One nova-compute for `host` over `driver`. */
export function buildCompute(
  config: NovaConfig,
  deps: { transport: Transport; driver: ComputeDriver; host: string; logger: NovaLogger },
): ComputeService {
  const d = config.DEFAULT;
  return createComputeService({
    host: deps.host,
    transport: deps.transport,
    driver: deps.driver,
    clock: serviceClock,
    logger: deps.logger,
    config: {
      initial_cpu_allocation_ratio: d.initial_cpu_allocation_ratio,
      initial_ram_allocation_ratio: d.initial_ram_allocation_ratio,
      initial_disk_allocation_ratio: d.initial_disk_allocation_ratio,
      cpu_allocation_ratio: d.cpu_allocation_ratio > 0 ? d.cpu_allocation_ratio : null,
      ram_allocation_ratio: d.ram_allocation_ratio > 0 ? d.ram_allocation_ratio : null,
      disk_allocation_ratio: d.disk_allocation_ratio > 0 ? d.disk_allocation_ratio : null,
      my_ip: d.my_ip,
      instance_name_template: d.instance_name_template,
      report_interval: d.report_interval,
      service_down_time: d.service_down_time,
      update_resources_interval: d.update_resources_interval,
      rpc_response_timeout: num(d.rpc_response_timeout),
      long_rpc_timeout: num(d.long_rpc_timeout),
    } as never,
  });
}

/** nova-api: the HTTP server over the database-backed compute backend. */
export interface ApiService extends RunnableService {
  readonly server: ApiServer;
  /** The bound port once started. */
  port(): number;
}

/** nova-api from nova.conf, listening on `host:port` (defaults from osapi_compute_listen(_port)). */
export function buildApi(
  config: NovaConfig,
  deps: {
    transport: Transport;
    dbs: NovaDatabases;
    images: ImageCatalog;
    logger: NovaLogger;
    listen?: { host: string; port: number };
  },
): ApiService {
  const rpc = {
    transport: deps.transport,
    rpcResponseTimeout: config.DEFAULT.rpc_response_timeout,
    longRpcTimeout: config.DEFAULT.long_rpc_timeout,
  };
  const backend = new DbComputeBackend({
    apiDb: deps.dbs.apiDb,
    cellDb: deps.dbs.cellDb,
    cell0Db: deps.dbs.cell0Db,
    cellUuid: deps.dbs.cellUuid,
    computeTask: new ComputeTaskAPI({ ...rpc, versionCap: config.upgrade_levels.compute_task }),
    compute: new ComputeAPI({ ...rpc, versionCap: config.upgrade_levels.compute }),
    images: deps.images,
    config: {
      serviceDownTime: config.DEFAULT.service_down_time,
      defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
    },
  });
  const server = createApiServer({
    backend,
    logger: deps.logger,
    config: { max_limit: config.api.max_limit },
  });
  const listen = deps.listen ?? {
    host: config.DEFAULT.osapi_compute_listen,
    port: config.DEFAULT.osapi_compute_listen_port,
  };
  let bound = 0;
  return {
    name: "nova-api",
    server,
    port: () => bound,
    async start() {
      bound = (await server.listen(listen.port, listen.host)).port;
      deps.logger.info({ host: listen.host, port: bound }, "nova-api listening");
    },
    stop: () => server.close(),
  };
}
