import { type Clock, type Logger, PeriodicTask, silentLogger, systemClock } from "@nova/core";
import { MessagingTimeout, RpcServer, type Transport } from "@nova/messaging";
import { SERVICE_VERSION, type Service } from "@nova/objects";
import {
  adminContext,
  COMPUTE_TOPIC,
  ConductorAPI,
  ConductorObjectsAPI,
  type RpcApiOptions,
  SchedulerAPI,
} from "@nova/rpcapi";
import {
  createDbDriver,
  type Membership,
  parseServiceGroupConfig,
  ServiceGroup,
  ServiceSaveHeartbeatSender,
} from "@nova/servicegroup";
import type { ComputeDriver } from "@nova/virt";
import { ComputeManager } from "./compute-manager.js";
import {
  type ComputeConfig,
  type ComputeConfigInput,
  parseComputeConfig,
  periodicIntervalMs,
} from "./config.js";
import { recoverInstances } from "./host-recovery.js";
import { PowerStateSync } from "./power-state-sync.js";
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
  logger?: Logger;
  /** nova.conf options by Nova's names (see computeConfigSchema); parsed here, once. */
  config?: ComputeConfigInput;
}

/** A nova-compute service: start() brings it up, stop() drains and stops it. */
export class ComputeService {
  readonly host: string;
  readonly config: ComputeConfig;
  readonly manager: ComputeManager;
  readonly resourceTracker: ResourceTracker;
  /** The conductor's object methods, as this compute calls them. */
  readonly conductor: ConductorObjectsAPI;
  private readonly conductorApi: ConductorAPI;
  private readonly powerSync: PowerStateSync;
  private readonly powerSyncTask: PeriodicTask;
  private readonly group: ServiceGroup;
  private readonly rpcServer: RpcServer;
  private readonly logger: Logger;
  private defaultNode: string;
  private serviceRow: Partial<Service> | undefined;
  private heartbeat: ServiceSaveHeartbeatSender | undefined;
  private membership: Membership | undefined;
  private unwatchTransport: (() => void) | undefined;
  private state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";

  constructor(private readonly opts: CreateComputeServiceOptions) {
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? silentLogger;
    const config = parseComputeConfig(opts.config ?? {});
    this.host = opts.host;
    this.config = config;
    this.logger = logger;
    this.defaultNode = opts.host;
    const rpc: RpcApiOptions = {
      transport: opts.transport,
      rpcResponseTimeout: config.rpc_response_timeout,
      longRpcTimeout: config.long_rpc_timeout,
    };
    this.conductorApi = new ConductorAPI({ ...rpc, versionCap: config.upgrade_levels.conductor });
    this.conductor = new ConductorObjectsAPI(this.conductorApi);
    const scheduler = new SchedulerAPI({ ...rpc, versionCap: config.upgrade_levels.scheduler });
    this.resourceTracker = new ResourceTracker({
      host: opts.host,
      driver: opts.driver,
      conductor: this.conductor,
      config,
      clock,
      logger,
      serviceId: () => this.serviceRow?.id,
    });
    this.manager = new ComputeManager({
      host: opts.host,
      driver: opts.driver,
      conductor: this.conductor,
      scheduler,
      config,
      clock,
      logger,
      defaultNode: () => this.defaultNode,
      buildOutcomes: this.resourceTracker,
    });
    this.powerSync = new PowerStateSync({
      host: opts.host,
      driver: opts.driver,
      conductor: this.conductor,
      manager: this.manager,
      logger,
    });
    this.powerSyncTask = new PeriodicTask(
      { name: "_sync_power_states", spacingMs: periodicIntervalMs(config.sync_power_state_interval) },
      () => this.powerSync.syncAll(),
      clock,
      logger,
    );
    this.group = new ServiceGroup({
      config: parseServiceGroupConfig(
        {
          report_interval: config.report_interval,
          service_down_time: config.service_down_time,
          servicegroup_driver: "db",
        },
        logger,
      ),
      driver: createDbDriver({
        sender: {
          sendReport: (service, report) => {
            if (!this.heartbeat) throw new Error("nova-compute has no service row yet");
            return this.heartbeat.sendReport(service, report);
          },
        },
      }),
      clock,
      logger,
    });
    this.rpcServer = new RpcServer(
      opts.transport,
      { topic: COMPUTE_TOPIC, server: opts.host },
      [this.manager.endpoint()],
      {
        logger,
        ...(config.executor_thread_pool_size ? { maxConcurrency: config.executor_thread_pool_size } : {}),
      },
    );
  }

  /** This compute's service row as the conductor last confirmed it (after start). */
  get service(): Partial<Service> | undefined {
    return this.heartbeat?.service ?? this.serviceRow;
  }

  /** Heartbeat counters (reports sent, failed), once started. */
  get heartbeatStats(): { reports: number; failures: number; disconnected: boolean } | undefined {
    return this.membership?.reporter.stats;
  }

  /** RPC requests accepted and not finished. */
  get inFlight(): number {
    return this.rpcServer.inFlight;
  }

  /**
   * Brings the compute up in Nova's order: the driver, the service row (got or created), a first resource
   * tracker pass, lifecycle events, recovery of instances a restart interrupted (init_host), the periodic
   * power state sync, the RPC server, then the heartbeat. A failure stops what was started.
   */
  async start(): Promise<void> {
    if (this.state !== "new") throw new Error(`nova-compute cannot start from state ${this.state}`);
    this.state = "starting";
    const { driver, host } = this.opts;
    try {
      await driver.initHost(host);
      this.defaultNode = (await driver.getAvailableNodes())[0] ?? host;
      this.serviceRow = await this.untilConductorAnswers(() => this.getOrCreateService());
      this.heartbeat = new ServiceSaveHeartbeatSender(
        (objinst, objmethod) => this.conductorApi.objectAction(adminContext(), objinst, objmethod),
        this.serviceRow,
      );
      await this.resourceTracker.start();
      this.powerSync.start();
      await recoverInstances({ host, conductor: this.conductor, manager: this.manager, logger: this.logger });
      this.powerSyncTask.start();
      await this.rpcServer.start();
      this.membership = this.group.join(
        { host, binary: COMPUTE_BINARY, topic: COMPUTE_TOPIC },
        { initialReportCount: this.serviceRow.report_count ?? 0 },
      );
      // After a reconnect, report at once instead of waiting out the interval (the service shows up sooner).
      this.unwatchTransport = this.opts.transport.driver.onStateChange((state) => {
        if (state === "connected") this.group.nudge();
      });
      this.state = "running";
      this.logger.info(
        { host, node: this.defaultNode, service_id: this.serviceRow.id },
        "nova-compute started",
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Stops serving: no new requests are taken, those accepted finish and are answered, the resource tracker
   * pass under way finishes, and only then does the heartbeat stop. Lifecycle syncs under way are not waited
   * for (see ComputeManager.drained). The transport and the
   * driver stay open (the caller owns them).
   */
  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    this.state = "stopping";
    await this.rpcServer.stop();
    this.powerSync.stop();
    await this.powerSyncTask.stop();
    await this.manager.drained();
    await this.resourceTracker.stop();
    this.unwatchTransport?.();
    this.unwatchTransport = undefined;
    await this.group.leaveAll();
    this.state = "stopped";
    this.logger.info({ host: this.host }, "nova-compute stopped");
  }

  /**
   * As Nova's wait_until_ready: a compute may come up before its conductor (whose queue does not exist yet,
   * so the call is lost); retry timed-out calls until the conductor answers or stop() is called.
   */
  private async untilConductorAnswers<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (!MessagingTimeout.isInstance(err) || this.state !== "starting") throw err;
        this.logger.warn(
          { host: this.host, attempt },
          "Timed out waiting for nova-conductor. Is it running? Or did this service start before nova-conductor? Reattempting establishment of nova-conductor connection...",
        );
      }
    }
  }

  private async getOrCreateService(): Promise<Partial<Service>> {
    const ctx = adminContext();
    const found = await this.conductor.serviceGetByHostAndBinary(ctx, this.host, COMPUTE_BINARY);
    if (found) return found;
    const created = await this.conductor.serviceCreate(ctx, {
      host: this.host,
      binary: COMPUTE_BINARY,
      topic: COMPUTE_TOPIC,
      report_count: 0,
      disabled: false,
      forced_down: false,
      version: SERVICE_VERSION,
    });
    this.logger.info({ host: this.host, service_id: created.id }, "service row created");
    return created;
  }
}

/** Composes a nova-compute (what the nova-compute app and the all-in-one call); `start()` it. */
export function createComputeService(options: CreateComputeServiceOptions): ComputeService {
  return new ComputeService(options);
}
