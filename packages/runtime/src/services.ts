import { type ApiServer, createApiServer } from "@nova/api";
import { DbComputeBackend, type ImageCatalog } from "@nova/api-backend";
import {
  type ComputeConfig,
  type ComputeService,
  createComputeService,
  parseComputeConfig,
} from "@nova/compute";
import { type ConductorConfigInput, type ConductorService, createConductorService } from "@nova/conductor";
import { type NovaConfig, parseGroup } from "@nova/config";
import { systemClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import {
  createSchedulerService,
  parseSchedulerServiceConfig,
  type SchedulerService,
  type SchedulerServiceConfigInput,
} from "@nova/scheduler-service";
import type { ComputeDriver } from "@nova/virt";
import type { NovaDatabases } from "./databases.js";
import type { NovaLogger } from "./logger.js";
import { messagingOptions } from "./transport.js";

/** Something an app starts and, on SIGTERM, stops (draining what is in flight). */
export interface RunnableService {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
  deps: { transport: Transport; dbs: NovaDatabases; logger: NovaLogger },
): ConductorService {
  return createConductorService({
    transport: deps.transport,
    apiDb: deps.dbs.apiDb,
    cellDb: deps.dbs.cellDb,
    cell0Db: deps.dbs.cell0Db,
    clock: systemClock,
    logger: deps.logger,
    config: conductorConfig(config, deps.dbs.cellUuid),
  });
}

// The groups nova-scheduler reads; @nova/scheduler-service declares their options.
const SCHEDULER_GROUPS = ["DEFAULT", "filter_scheduler", "scheduler", "metrics"] as const;

/** nova-scheduler's slice of nova.conf: its own groups as given, and the `[DEFAULT]` options it shares. */
export function schedulerServiceConfig(
  config: Pick<NovaConfig, "DEFAULT" | "raw">,
): SchedulerServiceConfigInput {
  const d = config.DEFAULT;
  const input: SchedulerServiceConfigInput = {
    DEFAULT: {
      host: d.host,
      service_down_time: d.service_down_time,
      report_interval: d.report_interval,
      default_availability_zone: d.default_availability_zone,
    },
    ...(config.raw.filter_scheduler ? { filter_scheduler: config.raw.filter_scheduler } : {}),
    ...(config.raw.scheduler ? { scheduler: config.raw.scheduler } : {}),
    ...(config.raw.metrics ? { metrics: config.raw.metrics } : {}),
  };
  // Checked here so a bad option is a ConfigError naming it (exit 2 at start); the service parses it again.
  parseGroup(config, SCHEDULER_GROUPS, () => parseSchedulerServiceConfig(input));
  return input;
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
    clock: systemClock,
    logger: deps.logger,
    serviceRegistration: { rpcResponseTimeout: messagingOptions(config).rpc_response_timeout },
    config: schedulerServiceConfig(config),
  });
}

/** nova-compute's slice of nova.conf, parsed as @nova/compute reads it. */
export function computeConfig(config: Pick<NovaConfig, "DEFAULT" | "raw" | "upgrade_levels">): ComputeConfig {
  const d = config.DEFAULT;
  // Nova: an unset or 0.0 `*_allocation_ratio` leaves each node's own ratio.
  const forced = (ratio: number) => (ratio > 0 ? ratio : null);
  return parseGroup(config, "DEFAULT", () =>
    parseComputeConfig({
      initial_cpu_allocation_ratio: d.initial_cpu_allocation_ratio,
      initial_ram_allocation_ratio: d.initial_ram_allocation_ratio,
      initial_disk_allocation_ratio: d.initial_disk_allocation_ratio,
      cpu_allocation_ratio: forced(d.cpu_allocation_ratio),
      ram_allocation_ratio: forced(d.ram_allocation_ratio),
      disk_allocation_ratio: forced(d.disk_allocation_ratio),
      reserved_host_cpus: d.reserved_host_cpus,
      reserved_host_memory_mb: d.reserved_host_memory_mb,
      reserved_host_disk_mb: d.reserved_host_disk_mb,
      my_ip: d.my_ip,
      instance_name_template: d.instance_name_template,
      report_interval: d.report_interval,
      service_down_time: d.service_down_time,
      update_resources_interval: d.update_resources_interval,
      rpc_response_timeout: messagingOptions(config).rpc_response_timeout,
      long_rpc_timeout: d.long_rpc_timeout,
      upgrade_levels: {
        ...(config.upgrade_levels.conductor ? { conductor: config.upgrade_levels.conductor } : {}),
        ...(config.upgrade_levels.scheduler ? { scheduler: config.upgrade_levels.scheduler } : {}),
      },
    }),
  );
}

/** One nova-compute for `host` over `driver`. */
export function buildCompute(
  config: NovaConfig,
  deps: { transport: Transport; driver: ComputeDriver; host: string; logger: NovaLogger },
): ComputeService {
  return createComputeService({
    host: deps.host,
    transport: deps.transport,
    driver: deps.driver,
    clock: systemClock,
    logger: deps.logger,
    config: computeConfig(config),
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
    rpcResponseTimeout: messagingOptions(config).rpc_response_timeout,
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
    config: { auth_strategy: config.api.auth_strategy, max_limit: config.api.max_limit },
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
