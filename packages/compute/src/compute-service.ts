import { type Clock, type Logger, PeriodicTask, silentLogger, systemClock } from "@nova/core";
import type { ImageStore } from "@nova/image-catalog";
import type { Transport } from "@nova/messaging";
import type { InstanceActivityObserver, Service } from "@nova/objects";
import {
  COMPUTE_TOPIC,
  ComputeLiveMigrationAPI,
  ComputeResizeAPI,
  ConductorAPI,
  ConductorObjectsAPI,
  type RpcApiOptions,
  SchedulerAPI,
} from "@nova/rpcapi";
import { ConductorServiceRegistry, NovaService, type NovaServiceOptions } from "@nova/service";
import type { ComputeDriver } from "@nova/virt";
import { ComputeManager } from "./compute-manager.js";
import {
  type ComputeConfig,
  type ComputeConfigInput,
  parseComputeConfig,
  periodicIntervalMs,
} from "./config.js";
import { destroyEvacuatedInstances } from "./evacuate-flow.js";
import { recoverInstances } from "./host-recovery.js";
import { lifecyclePeriodicTasks } from "./lifecycle-periodic-tasks.js";
import { LiveMigrationFlow } from "./live-migration-flow.js";
import { PowerStateSync } from "./power-state-sync.js";
import { ResizeFlow } from "./resize-flow.js";
import { ResourceTracker } from "./resource-tracker.js";

/** nova-compute's binary name, as its service row records it. */
export const COMPUTE_BINARY = "nova-compute";

/** What createComputeService composes a nova-compute from. */
export interface CreateComputeServiceOptions {
  /** `[DEFAULT] host`: this compute's name; it serves `compute.<host>`. */
  host: string;
  /** The RPC transport (it may be shared with other services of the process; the caller closes it). */
  transport: Transport;
  /** The hypervisor driver (the caller closes it after stop). */
  driver: ComputeDriver;
  /** Time for heartbeats, resource tracker passes and launched_at; default the wall clock. */
  clock?: Clock;
  /** Where the service logs builds, heartbeats and resource tracker passes; default silent. */
  logger?: Logger;
  /** nova.conf options by Nova's names (see computeConfigSchema); parsed here, once. */
  config?: ComputeConfigInput;
  /** `[DEFAULT] graceful_shutdown_timeout` (s): how long stop() waits for work in flight; 0 (default) for ever. */
  gracefulShutdownTimeout?: number;
  /** The image catalogue snapshots (createImage, createBackup, shelve) are written to. */
  images?: ImageStore;
  /** Told of each fault this compute records, by the error's class (metrics); none by default. */
  activity?: InstanceActivityObserver;
  /** A servicegroup driver named by `servicegroup_driver` for the heartbeats; default `db` (through the conductor). */
  serviceGroup?: NovaServiceOptions["serviceGroup"];
}

/** A nova-compute service: start() brings it up, stop() drains and stops it. */
export class ComputeService {
  /**
   * This compute's host name (`[DEFAULT] host`): its RPC topic is `compute.<host>` and its service row's
   * host.
   */
  readonly host: string;
  /** The parsed nova.conf options this compute runs with. */
  readonly config: ComputeConfig;
  /**
   * The compute manager: the RPC endpoints (`build_and_run_instance`, `reboot_instance`, ...) on
   * `compute.<host>`.
   */
  readonly manager: ComputeManager;
  /** The resource tracker that reports this host's compute node usage to the conductor. */
  readonly resourceTracker: ResourceTracker;
  /** The conductor's object methods, as this compute calls them. */
  readonly conductor: ConductorObjectsAPI;
  private readonly registry: ConductorServiceRegistry;
  private readonly lifecycle: NovaService;
  private defaultNode: string;

  /** Wires the manager, resource tracker and service lifecycle; nothing connects until `start()`. */
  constructor(opts: CreateComputeServiceOptions) {
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? silentLogger;
    const config = parseComputeConfig(opts.config ?? {});
    const { driver, host } = opts;
    this.host = host;
    this.config = config;
    this.defaultNode = host;
    const rpc: RpcApiOptions = {
      transport: opts.transport,
      rpcResponseTimeout: config.rpc_response_timeout,
      longRpcTimeout: config.long_rpc_timeout,
    };
    const conductorApi = new ConductorAPI({ ...rpc, versionCap: config.upgrade_levels.conductor });
    this.conductor = new ConductorObjectsAPI(conductorApi);
    this.registry = new ConductorServiceRegistry(conductorApi);
    const scheduler = new SchedulerAPI({ ...rpc, versionCap: config.upgrade_levels.scheduler });
    this.resourceTracker = new ResourceTracker({
      host,
      driver,
      conductor: this.conductor,
      config,
      clock,
      logger,
      serviceId: () => this.registry.service?.id,
    });
    const manager = new ComputeManager({
      host,
      driver,
      conductor: this.conductor,
      scheduler,
      config,
      clock,
      logger,
      defaultNode: () => this.defaultNode,
      buildOutcomes: this.resourceTracker,
      ...(opts.images ? { images: opts.images } : {}),
      ...(opts.activity ? { activity: opts.activity } : {}),
    });
    this.manager = manager;
    // Resize and cold migration: their own endpoint beside the manager's, sharing its locks and events.
    const resizeFlow = new ResizeFlow({
      host,
      driver,
      conductor: this.conductor,
      resize: new ComputeResizeAPI(rpc),
      manager,
      config,
      clock,
      logger,
    });
    const confirmSweep = resizeFlow.confirmSweep();
    const liveMigrationFlow = new LiveMigrationFlow({
      host,
      node: () => this.defaultNode,
      driver,
      conductor: this.conductor,
      live: new ComputeLiveMigrationAPI(rpc),
      manager,
      config,
      logger,
    });
    const powerSync = new PowerStateSync({ host, driver, conductor: this.conductor, manager, logger });
    const powerSyncTask = new PeriodicTask(
      { name: "_sync_power_states", spacingMs: periodicIntervalMs(config.sync_power_state_interval) },
      () => powerSync.syncAll(),
      clock,
      logger,
    );
    this.lifecycle = new NovaService({
      service: { host, binary: COMPUTE_BINARY, topic: COMPUTE_TOPIC },
      transport: opts.transport,
      registry: this.registry,
      reportInterval: config.report_interval,
      serviceDownTime: config.service_down_time,
      serviceGroup: opts.serviceGroup,
      ...(opts.gracefulShutdownTimeout !== undefined
        ? { gracefulShutdownTimeout: opts.gracefulShutdownTimeout }
        : {}),
      ...(config.executor_thread_pool_size
        ? { rpcServer: { maxConcurrency: config.executor_thread_pool_size } }
        : {}),
      clock,
      logger,
      manager: {
        initHost: async () => {
          await driver.initHost(host);
          this.defaultNode = (await driver.getAvailableNodes())[0] ?? host;
        },
        // A first resource tracker pass, lifecycle events, and recovery of the instances a restart interrupted.
        preStartHook: async () => {
          await this.resourceTracker.start();
          powerSync.start();
          // A start never fails on the clean-up: the guests left behind are destroyed on the next start.
          await destroyEvacuatedInstances({ host, driver, conductor: this.conductor, manager, logger }).catch(
            (err: unknown) =>
              logger.warn(
                { err: err instanceof Error ? err.message : String(err) },
                "evacuation clean-up failed",
              ),
          );
          await recoverInstances({
            host,
            conductor: this.conductor,
            manager,
            driver,
            instanceNameTemplate: config.instance_name_template,
            logger,
          });
        },
        endpoints: () => [manager.endpoint(), resizeFlow.endpoint(), liveMigrationFlow.endpoint()],
        periodicTasks: () => [
          powerSyncTask,
          ...(confirmSweep ? [confirmSweep] : []),
          ...lifecyclePeriodicTasks(manager, config, clock, logger),
        ],
        // Lifecycle syncs under way are not waited for (see ComputeManager.drained).
        drain: async () => {
          powerSync.stop();
          await manager.drained();
        },
        // The resource tracker pass under way finishes before the heartbeat stops.
        cleanupHost: () => this.resourceTracker.stop(),
        postStartHook: async () => {
          logger.info(
            { host, node: this.defaultNode, service_id: this.registry.service?.id },
            "nova-compute started",
          );
        },
      },
    });
  }

  /** This compute's service row as the conductor last confirmed it (after start). */
  get service(): Partial<Service> | undefined {
    return this.registry.service;
  }

  /** Heartbeat counters (reports sent, failed), once started. */
  get heartbeatStats(): { reports: number; failures: number; disconnected: boolean } | undefined {
    return this.lifecycle.heartbeatStats;
  }

  /** RPC requests accepted and not finished. */
  get inFlight(): number {
    return this.lifecycle.inFlight;
  }

  /**
   * Brings the compute up in Nova's order (see NovaService): the driver, the service row (got or created,
   * waiting for the conductor), a first resource tracker pass, lifecycle events, recovery of instances a restart
   * interrupted, the RPC server, the heartbeat and the periodic power state sync. A failure stops what was started.
   */
  start(): Promise<void> {
    return this.lifecycle.start();
  }

  /**
   * Stops serving: no new requests are taken, those accepted finish and are answered, the power state sync and
   * the resource tracker pass under way finish, and only then does the heartbeat stop. The transport and the
   * driver stay open (the caller owns them).
   */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }
}

/** Composes a nova-compute (what the nova-compute app and the all-in-one call); `start()` it. */
export function createComputeService(options: CreateComputeServiceOptions): ComputeService {
  return new ComputeService(options);
}
