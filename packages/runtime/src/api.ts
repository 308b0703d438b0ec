// @nova/runtime/api: what nova-api needs.
import { type ApiObserver, type ApiServer, createApiServer } from "@nova/api";
import { DbComputeBackend } from "@nova/api-backend";
import type { NovaConfig } from "@nova/config";
import type { DatabaseObserver } from "@nova/db";
import type { ImageStore } from "@nova/image-catalog";
import type { Transport } from "@nova/messaging";
import {
  ComputeAPI,
  ComputeLiveMigrationAPI,
  ComputeResizeAPI,
  ComputeTaskAPI,
  SchedulerAPI,
} from "@nova/rpcapi";
import { apiCellAccess } from "./api-cells.js";
import type { NovaDatabases } from "./databases.js";
import { keystoneAuthtokenOptions } from "./keystone-authtoken.js";
import type { NovaLogger } from "./logger.js";
import { loadPolicy } from "./policy-file.js";
import type { RunnableService } from "./runnable-service.js";
import type { LoadedServiceGroupDriver } from "./servicegroup-driver.js";
import { messagingOptions } from "./transport.js";

export { findPolicyFile, loadPolicy, policySearchDirs, readPolicyFile } from "./policy-file.js";

/** nova-api: the HTTP server over the database-backed compute backend. */
export interface ApiService extends RunnableService {
  /** The REST server (Compute API v2.1) this service runs. */
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
    images: ImageStore;
    logger: NovaLogger;
    listen?: { host: string; port: number };
    /** Watches every request (metrics, traces): `ServiceTelemetry.apiObserver`. */
    observer?: ApiObserver;
    /** Observes each cell's database pool nova-api opens (`ServiceTelemetry.databaseObserver`, the `cell` label). */
    databaseObserver?: (database: "cell" | "cell0", cell: string) => DatabaseObserver | undefined;
    /** The servicegroup driver `servicegroup_driver` named: os-services reads liveness from it; `db` when absent. */
    serviceGroup?: LoadedServiceGroupDriver | undefined;
  },
): ApiService {
  const rpc = {
    transport: deps.transport,
    rpcResponseTimeout: messagingOptions(config).rpc_response_timeout,
    longRpcTimeout: config.DEFAULT.long_rpc_timeout,
  };
  // Every cell reached over its own database and broker; the in-process bus (fake://) runs one cell only.
  const cells = config.DEFAULT.transport_url.startsWith("fake://")
    ? undefined
    : apiCellAccess(config, {
        apiDb: deps.dbs.apiDb,
        logger: deps.logger,
        ...(deps.databaseObserver ? { databaseObserver: deps.databaseObserver } : {}),
      });
  const backend = new DbComputeBackend({
    ...(cells ? { cells: cells.access } : {}),
    apiDb: deps.dbs.apiDb,
    cellDb: deps.dbs.cellDb,
    cell0Db: deps.dbs.cell0Db,
    cellUuid: deps.dbs.cellUuid,
    computeTask: new ComputeTaskAPI({ ...rpc, versionCap: config.upgrade_levels.compute_task }),
    compute: new ComputeAPI({ ...rpc, versionCap: config.upgrade_levels.compute }),
    resize: new ComputeResizeAPI({ ...rpc, versionCap: config.upgrade_levels.compute }),
    live: new ComputeLiveMigrationAPI({ ...rpc, versionCap: config.upgrade_levels.compute }),
    scheduler: new SchedulerAPI({ ...rpc, versionCap: config.upgrade_levels.scheduler }),
    images: deps.images,
    ...(deps.serviceGroup ? { serviceIsUp: deps.serviceGroup.serviceIsUp } : {}),
    config: {
      serviceDownTime: config.DEFAULT.service_down_time,
      defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
      instanceNameTemplate: config.DEFAULT.instance_name_template,
      allowResizeToSameHost: config.DEFAULT.allow_resize_to_same_host,
      cellTimeout: config.DEFAULT.cell_timeout,
    },
  });
  const server = createApiServer({
    backend,
    logger: deps.logger,
    config: {
      auth_strategy: config.api.auth_strategy,
      ...(config.api.auth_strategy === "keystone"
        ? { keystone_authtoken: keystoneAuthtokenOptions(config) }
        : {}),
      max_limit: config.api.max_limit,
      max_concurrent_reads: config.api.max_concurrent_reads,
      glance_api_servers: config.glance.api_servers,
      reclaim_instance_interval: config.DEFAULT.reclaim_instance_interval,
      ...(config.api.glance_link_prefix ? { glance_link_prefix: config.api.glance_link_prefix } : {}),
    },
    // Read once here, at start: a missing named file or a malformed one stops nova-api with a ConfigError.
    policy: loadPolicy(config),
    ...(deps.observer ? { observer: deps.observer } : {}),
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
    async stop() {
      await server.close();
      await cells?.close();
    },
  };
}
