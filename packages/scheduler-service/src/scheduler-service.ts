import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { RpcServer, type Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import { SCHEDULER_TOPIC } from "@nova/rpcapi";
import { PluginRegistry, UnknownPluginError } from "@nova/scheduler";
import {
  parseSchedulerServiceConfig,
  type SchedulerServiceConfig,
  type SchedulerServiceConfigInput,
} from "./config.js";
import { HostStateCache } from "./host-state-cache.js";
import { SchedulerManager } from "./scheduler-manager.js";
import { CellUnresolvedError, InvalidSchedulerConfigError } from "./scheduler-service-error.js";
import { SchedulerServiceRegistration } from "./service-registration.js";

/** What the nova-scheduler service is built from (the app and the all-in-one pass these). */
export interface SchedulerServiceDeps {
  /** The bus the `scheduler` topic is served on. Not closed by stop(). */
  transport: Transport;
  /** The database of the cell this scheduler places into. Not closed by stop(). */
  cellDb: CellDatabase;
  /** The API database: used to find this cell's uuid in the cell mappings when `cellUuid` is not given. */
  apiDb?: ApiDatabase | undefined;
  /** Drives the host state polls and service liveness. */
  clock: Clock;
  /** Where the service logs (a pino logger fits). */
  logger: Logger;
  /** nova.conf groups: `[DEFAULT]`, `[filter_scheduler]`, `[scheduler]`, `[metrics]`. */
  config: SchedulerServiceConfigInput;
  /** The uuid of the cell (its cell mapping's); read from `apiDb` when absent. */
  cellUuid?: string | undefined;
  /** Custom filters and weighers, nameable in `enabled_filters` / `weight_classes`. */
  plugins?: PluginRegistry | undefined;
  /** Uniform in [0, 1) (host_subset_size, shuffle_best_same_weighed_hosts); Math.random by default. */
  random?: (() => number) | undefined;
  /**
   * Keep a `nova-scheduler` service row and its heartbeat through the conductor (as nova-compute does), each
   * call waiting `rpcResponseTimeout` seconds. Absent: no service row (a scheduler tested without a conductor).
   */
  serviceRegistration?: { rpcResponseTimeout: number } | undefined;
}

/** A running (or runnable) nova-scheduler. */
export interface SchedulerService {
  /** The parsed configuration. */
  readonly config: SchedulerServiceConfig;
  /** The manager (after start()). */
  readonly manager: SchedulerManager;
  /** The host states (after start()). */
  readonly hostStates: HostStateCache;
  /** The service row and heartbeat kept through the conductor (after start(), when asked for). */
  readonly registration: SchedulerServiceRegistration | undefined;
  /** Resolves the cell, loads the host states, serves the `scheduler` topic and starts the periodic poll. */
  start(): Promise<void>;
  /** Stops consuming, waits for the requests in flight to finish and reply, and stops polling. */
  stop(): Promise<void>;
  /** Polls changed nodes and services now (joins the periodic poll when one is running). */
  refresh(): Promise<void>;
}

/**
 * Builds the nova-scheduler service: configuration is parsed (and filter/weigher names checked) here, so a
 * bad option fails before anything starts; nothing touches the bus or the databases until start().
 */
export function createSchedulerService(deps: SchedulerServiceDeps): SchedulerService {
  const config = parseSchedulerServiceConfig(deps.config, (msg) => deps.logger.warn({}, msg));
  const plugins = deps.plugins ?? new PluginRegistry();
  try {
    for (const n of config.scheduler.enabled_filters) plugins.filter(n);
  } catch (err) {
    if (UnknownPluginError.isInstance(err))
      throw new InvalidSchedulerConfigError("filter_scheduler", "enabled_filters", err.message, err);
    throw err;
  }
  try {
    for (const n of config.scheduler.weight_classes) plugins.weigher(n);
  } catch (err) {
    if (UnknownPluginError.isInstance(err))
      throw new InvalidSchedulerConfigError("filter_scheduler", "weight_classes", err.message, err);
    throw err;
  }
  return new RunningSchedulerService(deps, config, plugins);
}

class RunningSchedulerService implements SchedulerService {
  private state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  private cache: HostStateCache | undefined;
  private mgr: SchedulerManager | undefined;
  private server: RpcServer | undefined;
  private poller: PeriodicTask | undefined;
  private reg: SchedulerServiceRegistration | undefined;

  constructor(
    private readonly deps: SchedulerServiceDeps,
    readonly config: SchedulerServiceConfig,
    private readonly plugins: PluginRegistry,
  ) {}

  get manager(): SchedulerManager {
    if (!this.mgr) throw new Error("the scheduler service has not been started");
    return this.mgr;
  }

  get registration(): SchedulerServiceRegistration | undefined {
    return this.reg;
  }

  get hostStates(): HostStateCache {
    if (!this.cache) throw new Error("the scheduler service has not been started");
    return this.cache;
  }

  async start(): Promise<void> {
    if (this.state !== "new") return;
    this.state = "starting";
    const { deps } = this;
    const cellUuid = deps.cellUuid ?? (await this.resolveCell());
    const cache = new HostStateCache({ cellDb: deps.cellDb, cellUuid, logger: deps.logger });
    await cache.load();
    const manager = new SchedulerManager({
      cache,
      cellDb: deps.cellDb,
      config: this.config,
      cellUuid,
      clock: deps.clock,
      logger: deps.logger,
      plugins: this.plugins,
      ...(deps.random ? { random: deps.random } : {}),
    });
    const server = new RpcServer(
      deps.transport,
      { topic: SCHEDULER_TOPIC, server: this.config.host },
      [manager.endpoint()],
      {
        logger: deps.logger,
      },
    );
    await server.start();
    this.cache = cache;
    this.mgr = manager;
    this.server = server;
    this.state = "running";
    // The host states' refresh is a periodic task (spacing start to start, never two at once).
    this.poller = new PeriodicTask(
      { name: "refresh_host_states", spacingMs: this.config.hostStateRefreshInterval * 1000 },
      () => cache.refresh(),
      deps.clock,
      deps.logger,
    );
    this.poller.start();
    if (deps.serviceRegistration) {
      this.reg = new SchedulerServiceRegistration({
        transport: deps.transport,
        clock: deps.clock,
        logger: deps.logger,
        host: this.config.host,
        reportInterval: this.config.reportInterval,
        serviceDownTime: this.config.scheduler.service_down_time,
        rpcResponseTimeout: deps.serviceRegistration.rpcResponseTimeout,
      });
      this.reg.start();
    }
    deps.logger.info(
      {
        host: this.config.host,
        cell_uuid: cellUuid,
        hosts: cache.hosts.size,
        refresh_interval: this.config.hostStateRefreshInterval,
      },
      "nova-scheduler started",
    );
  }

  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    this.state = "stopping";
    const polling = this.poller?.stop();
    await this.server?.stop();
    await polling;
    // The heartbeat stops last: the scheduler counts as up until it stopped serving.
    await this.reg?.stop();
    this.state = "stopped";
    this.deps.logger.info({ host: this.config.host }, "nova-scheduler stopped");
  }

  refresh(): Promise<void> {
    return this.hostStates.refresh();
  }

  // The single cell besides cell0 in the API database, or the one whose database is ours.
  private async resolveCell(): Promise<string> {
    const apiDb = this.deps.apiDb;
    if (!apiDb)
      throw new CellUnresolvedError("no cell uuid given and no API database to read the cell mappings from");
    const cells = (await apiDb.mappings.listCells()).filter((c) => c.uuid !== CELL0_UUID);
    if (cells.length === 1) return cells[0]!.uuid;
    const ours = this.deps.cellDb.db.options.connection;
    const match = cells.filter((c) => c.database_connection === ours);
    if (match.length === 1) return match[0]!.uuid;
    throw new CellUnresolvedError(
      cells.length === 0
        ? "the API database maps no cell besides cell0 (run nova-manage cell_v2 create_cell)"
        : `${cells.length} cells are mapped and none has this scheduler's database connection`,
    );
  }
}
