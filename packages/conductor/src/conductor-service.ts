import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import type { Notifier, RpcEndpoint, Transport } from "@nova/messaging";
import { CELL0_UUID, type InstanceActivityObserver } from "@nova/objects";
import {
  COMPUTE_TASK_NAMESPACE,
  CONDUCTOR_TOPIC,
  ComputeAPI,
  ComputeLiveMigrationAPI,
  ComputeResizeAPI,
  SchedulerAPI,
} from "@nova/rpcapi";
import { NovaService, type NovaServiceOptions, RecordingServiceRegistry } from "@nova/service";
import {
  DownServiceMonitor,
  HeartbeatRecorder,
  isServiceSaveHeartbeat,
  type LivenessObserver,
  type ServiceRecord,
} from "@nova/servicegroup";
import { BuildTimeoutMonitor } from "./build-timeout-monitor.js";
import { type CellTargets, instanceTarget, singleCellTargets } from "./cell-targets.js";
import { COMPUTE_TASK_MANAGER_VERSION, ComputeTaskManager } from "./compute-task-manager.js";
import { ConductorObjectManager } from "./conductor-object-manager.js";
import { type ConductorConfig, type ConductorConfigInput, parseConductorConfig } from "./config.js";
import { DbHeartbeatStore } from "./db-heartbeat-store.js";
import { ConductorSetupError } from "./errors/conductor-setup-error.js";
import { EvacuateTaskManager, parseEvacuateArgs } from "./evacuate-task.js";
import { LiveMigrateTaskManager, parseLiveMigrateArgs } from "./live-migrate-task.js";
import { CellMigrateTasks } from "./migrate-task.js";
import { PerCellManagers } from "./per-cell-managers.js";
import { ServiceUpdateNotifier } from "./service-update-notifier.js";

/** What a nova-conductor is built from: everything passed in, nothing global. */
export interface ConductorServiceDeps {
  /** The bus computes, the API and the scheduler use (`fake://` or `rabbit://`). */
  transport: Transport;
  /** The API database (build requests, mappings). */
  apiDb: ApiDatabase;
  /** The cell's database (instances, services, compute nodes). */
  cellDb: CellDatabase;
  /** cell0's database: where unschedulable instances are kept. Without it they stay ERROR in the cell. */
  cell0Db?: CellDatabase | undefined;
  /**
   * The cells builds, moves and unshelves go to (a super conductor's: the chosen host's cell over its own
   * broker). Without it every host is in `cellDb`'s cell, reached over `transport`.
   */
  targets?: CellTargets | undefined;
  /** Time for heartbeats, liveness and the periodic checks (inject a fake one in tests). */
  clock: Clock;
  /** Where the conductor logs (a pino logger fits). */
  logger: Logger;
  /** Options by nova.conf name (parsed here if not parsed yet). */
  config: ConductorConfigInput | ConductorConfig;
  /** Sends `service.update` when a service goes down or comes back; none sends nothing. */
  notifier?: Notifier | undefined;
  /** `[DEFAULT] graceful_shutdown_timeout` (s): how long stop() waits for builds in flight; 0 (default) for ever. */
  gracefulShutdownTimeout?: number | undefined;
  /** Told of reschedules and the faults this conductor records (metrics); none by default. */
  activity?: InstanceActivityObserver | undefined;
  /** Told when a service is recorded down or up again (metrics); none by default. */
  liveness?: LivenessObserver | undefined;
  /**
   * A servicegroup driver named by `servicegroup_driver` (default: `db`, heartbeats recorded in the cell
   * database). With one, the conductor's own heartbeats go through it and the down-service check, which reads
   * the database's heartbeat stamps that such a driver no longer writes, does not run.
   */
  serviceGroup?: NovaServiceOptions["serviceGroup"];
  /** Nova's `service_is_up` over that driver: builds, moves and unshelves skip the computes it says are down. */
  serviceIsUp?: ((service: ServiceRecord) => Promise<boolean>) | undefined;
}

/** A running (or runnable) nova-conductor. */
export interface ConductorService {
  /** The parsed configuration. */
  readonly config: ConductorConfig;
  /** Resolves the cell, registers this conductor, starts serving `conductor` and the periodic checks. */
  start(): Promise<void>;
  /** Finishes every build in flight (serving computes meanwhile), then stops serving and the checks. */
  stop(): Promise<void>;
  /** The compute_task endpoint's manager (available after start). */
  readonly computeTasks: ComputeTaskManager;
  /** The object methods' manager. */
  readonly objects: ConductorObjectManager;
  /** The batching heartbeat recorder and its database store. */
  readonly recorder: HeartbeatRecorder;
  /** Where the recorder writes: the cell database's services table. */
  readonly heartbeatStore: DbHeartbeatStore;
  /** The periodic checks. */
  readonly downServices: DownServiceMonitor;
  /** The stuck-build check (instance_build_timeout). */
  readonly buildTimeouts: BuildTimeoutMonitor;
}

/** The binary name this service registers under, as Nova's. */
export const CONDUCTOR_BINARY = "nova-conductor";

/**
 * Builds a nova-conductor: the `conductor` topic's RPC server with the compute_task (1.24) and base (3.0)
 * endpoints, heartbeats recorded in batches into the cell database, and the periodic checks (down services
 * with `service.update` notifications, builds stuck past instance_build_timeout).
 */
export function createConductorService(deps: ConductorServiceDeps): ConductorService {
  const config = parseConductorConfig(deps.config);
  const { transport, apiDb, cellDb, cell0Db, clock, logger } = deps;
  const serviceNotifier = deps.notifier ? new ServiceUpdateNotifier(deps.notifier, logger) : undefined;
  const heartbeatStore = new DbHeartbeatStore(cellDb);
  const recorder = new HeartbeatRecorder({
    store: heartbeatStore,
    clock,
    logger,
    batchWindowMs: config.heartbeat_batch_window_ms,
    maxConcurrentWrites: config.heartbeat_max_concurrent_writes,
    ...(serviceNotifier ? { notifier: serviceNotifier } : {}),
    ...(deps.liveness ? { observer: deps.liveness } : {}),
  });
  const objects = new ConductorObjectManager({ cellDb, apiDb, recorder, logger });
  const downServices = new DownServiceMonitor({
    store: heartbeatStore,
    clock,
    logger,
    config: { serviceDownTime: config.service_down_time, reportInterval: config.report_interval },
    ...(serviceNotifier ? { notifier: serviceNotifier } : {}),
    ...(deps.liveness ? { observer: deps.liveness } : {}),
  });
  const buildTimeouts = new BuildTimeoutMonitor({
    cellDb,
    clock,
    logger,
    buildTimeout: config.instance_build_timeout,
    intervalSec: config.build_timeout_check_interval,
    host: config.host,
    activity: deps.activity,
  });
  const rpc = {
    transport,
    rpcResponseTimeout: config.rpc_response_timeout,
    longRpcTimeout: config.long_rpc_timeout,
  };
  const scheduler = new SchedulerAPI({ ...rpc, versionCap: config.upgrade_levels_scheduler });
  const compute = new ComputeAPI({ ...rpc, versionCap: config.upgrade_levels_compute });
  const resize = new ComputeResizeAPI({ ...rpc, versionCap: config.upgrade_levels_compute });
  let targets = deps.targets;
  // Resize and cold migration: migrate_server on the compute_task namespace beside the builds, in the
  // instance's cell.
  const moves = new CellMigrateTasks({
    apiDb,
    targets: {
      forHost: (host) => cellTargets().forHost(host),
      forCell: (uuid) => cellTargets().forCell(uuid),
      unschedulable: () => cellTargets().unschedulable(),
      databases: () => cellTargets().databases(),
    },
    scheduler,
    clock,
    logger,
    serviceDownTime: config.service_down_time,
    serviceIsUp: deps.serviceIsUp,
    host: config.host,
    activity: deps.activity,
  });

  // Live migration (live_migrate_instance) and evacuation (rebuild_instance with recreate) on the same namespace,
  // each in the instance's cell (its database, its broker's computes), as resize and cold migration are.
  const live = new ComputeLiveMigrationAPI({ ...rpc, versionCap: config.upgrade_levels_compute });
  const moveOptions = {
    scheduler,
    clock,
    logger,
    serviceDownTime: config.service_down_time,
    host: config.host,
  };
  const liveMoves = new PerCellManagers(
    (target) =>
      new LiveMigrateTaskManager({
        ...moveOptions,
        cellUuid: target.cellUuid,
        cellDb: target.db,
        live: target.live,
      }),
  );
  const evacuations = new PerCellManagers(
    (target) =>
      new EvacuateTaskManager({
        ...moveOptions,
        cellUuid: target.cellUuid,
        cellDb: target.db,
        compute: target.compute,
      }),
  );
  const liveMoveEndpoint: RpcEndpoint = {
    namespace: COMPUTE_TASK_NAMESPACE,
    version: COMPUTE_TASK_MANAGER_VERSION,
    methods: {
      live_migrate_instance: async (ctx, args) => {
        const uuid = parseLiveMigrateArgs(args).instance.uuid ?? "";
        return liveMoves.of(await instanceTarget(apiDb, cellTargets(), uuid)).liveMigrateInstance(ctx, args);
      },
      rebuild_instance: async (ctx, args) => {
        const uuid = parseEvacuateArgs(args).instance.uuid ?? "";
        return evacuations.of(await instanceTarget(apiDb, cellTargets(), uuid)).rebuildInstance(ctx, args);
      },
    },
  };
  const cellTargets = (): CellTargets => {
    if (!targets) throw new ConductorSetupError("the conductor has not been started");
    return targets;
  };

  let computeTasks: ComputeTaskManager | undefined;
  const tasks = (): ComputeTaskManager => {
    if (!computeTasks) throw new ConductorSetupError("the conductor has not been started");
    return computeTasks;
  };
  let cellUuid: string | undefined;
  const lifecycle = new NovaService({
    service: { host: config.host, binary: CONDUCTOR_BINARY, topic: CONDUCTOR_TOPIC },
    transport,
    // The conductor has the database: it records its own row and heartbeats instead of calling a conductor.
    registry: new RecordingServiceRegistry({
      store: heartbeatStore,
      recorder,
      clock,
      recordFirstHeartbeat: config.report_interval > 0,
    }),
    reportInterval: config.report_interval,
    serviceDownTime: config.service_down_time,
    serviceGroup: deps.serviceGroup,
    ...(deps.gracefulShutdownTimeout !== undefined
      ? { gracefulShutdownTimeout: deps.gracefulShutdownTimeout }
      : {}),
    rpcServer: {
      maxConcurrency: config.executor_thread_pool_size,
      lanes: [
        { name: "heartbeats", maxConcurrency: config.heartbeat_pool_size, matches: isServiceSaveHeartbeat },
      ],
    },
    clock,
    logger,
    manager: {
      initHost: async () => {
        cellUuid = await resolveCell(apiDb, config.cell_uuid);
        if (cell0Db) {
          try {
            await apiDb.mappings.getCell(CELL0_UUID);
          } catch (err) {
            if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
            throw new ConductorSetupError(
              "a cell0 database was given but cell0 is not mapped (nova-manage cell_v2 map_cell0)",
            );
          }
        }
        targets ??= singleCellTargets(
          { cellUuid, db: cellDb, compute, resize, live },
          cell0Db ? { cellUuid: CELL0_UUID, db: cell0Db } : undefined,
        );
        computeTasks = new ComputeTaskManager({
          apiDb,
          targets,
          scheduler,
          clock,
          logger,
          serviceDownTime: config.service_down_time,
          serviceIsUp: deps.serviceIsUp,
          host: config.host,
          activity: deps.activity,
        });
      },
      endpoints: () => [tasks().endpoint(), moves.endpoint(), liveMoveEndpoint, objects.endpoint()],
      // The down-service check needs heartbeats to judge by (report_interval 0 turns both off).
      periodicTasks: () =>
        config.report_interval > 0 && !deps.serviceGroup ? [downServices, buildTimeouts] : [buildTimeouts],
      // Builds in flight still need this server: computes report their progress through it.
      drainWhileServing: async () => {
        await Promise.all([tasks().drain(), moves.drain(), liveMoves.drain(), evacuations.drain()]);
      },
      drain: async () => {
        await Promise.all([computeTasks?.drain(), moves.drain(), liveMoves.drain(), evacuations.drain()]);
      },
      postStartHook: async () => {
        logger.info(
          { host: config.host, cell: cellUuid, cell0: cell0Db !== undefined },
          "nova-conductor started",
        );
      },
    },
  });

  return {
    config,
    objects,
    recorder,
    heartbeatStore,
    downServices,
    buildTimeouts,
    get computeTasks(): ComputeTaskManager {
      return tasks();
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}

/** The cell this conductor builds in: the configured one, or the only cell besides cell0. */
async function resolveCell(apiDb: ApiDatabase, configured: string | undefined): Promise<string> {
  if (configured) {
    try {
      return (await apiDb.mappings.getCell(configured)).uuid;
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) {
        throw new ConductorSetupError(`cell_uuid ${configured} has no cell mapping`);
      }
      throw err;
    }
  }
  const cells = (await apiDb.mappings.listCells()).filter((c) => c.uuid !== CELL0_UUID);
  if (cells.length === 1) return cells[0]!.uuid;
  if (cells.length === 0) {
    throw new ConductorSetupError("no cell is mapped besides cell0 (nova-manage cell_v2 create_cell)");
  }
  throw new ConductorSetupError(
    `${cells.length} cells are mapped; set cell_uuid to the one this conductor serves`,
  );
}
