import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ApiDatabase, CellDatabase, CellDatabaseAccess } from "@nova/db";
import type { Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import { ConductorAPI, SCHEDULER_TOPIC } from "@nova/rpcapi";
import { PluginRegistry, type SchedulingObserver, UnknownPluginError } from "@nova/scheduler";
import {
  ConductorServiceRegistry,
  NovaService,
  type NovaServiceOptions,
  ServiceLifecycleError,
} from "@nova/service";
import { type CellPlacer, cellsEndpoint } from "./cells-endpoint.js";
import {
  parseSchedulerServiceConfig,
  type SchedulerServiceConfig,
  type SchedulerServiceConfigInput,
} from "./config.js";
import { hostDiscoveryTask } from "./host-discovery-task.js";
import { HostStateCache } from "./host-state-cache.js";
import { SchedulerManager, type SchedulerManagerDeps } from "./scheduler-manager.js";
import { CellUnresolvedError, InvalidSchedulerConfigError } from "./scheduler-service-error.js";

/** nova-scheduler's binary name, as its service row records it. */
export const SCHEDULER_BINARY = "nova-scheduler";

/** What the nova-scheduler service is built from (the app and the all-in-one pass these). */
export interface SchedulerServiceDeps {
  /** The bus the `scheduler` topic is served on. Not closed by stop(). */
  transport: Transport;
  /** The database of the cell this scheduler places into. Not closed by stop(). */
  cellDb: CellDatabase;
  /**
   * The API database: the host aggregates the filters read, and this cell's uuid in the cell mappings when
   * `cellUuid` is not given.
   */
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
  serviceRegistration?: { rpcResponseTimeout: number; retryDelayMs?: number } | undefined;
  /** Told of every select_destinations decision (metrics, the live console). */
  schedulingObserver?: SchedulingObserver | undefined;
  /** `[DEFAULT] graceful_shutdown_timeout` (s): how long stop() waits for requests in flight; 0 (default) for ever. */
  gracefulShutdownTimeout?: number | undefined;
  /** Pooled access to every cell's database, for `discover_hosts_in_cells_interval` (opened per run without). */
  cellDatabases?: CellDatabaseAccess | undefined;
  /** A servicegroup driver named by `servicegroup_driver` for the scheduler's heartbeats; default `db`. */
  serviceGroup?: NovaServiceOptions["serviceGroup"];
  /** Nova's `service_is_up` over that driver, which ComputeFilter then follows (see SchedulerManagerDeps). */
  serviceIsUp?: SchedulerManagerDeps["serviceIsUp"];
  /**
   * Further cells to place into besides `cellDb`'s (a scheduler serving a super conductor), each with its own
   * host states and claims in its own database. Not closed by stop().
   */
  otherCells?: (() => Promise<readonly { cellUuid: string; cellDb: CellDatabase }[]>) | undefined;
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
  readonly registration: ConductorServiceRegistry | undefined;
  /** Resolves the cell, loads the host states, serves the `scheduler` topic and starts the periodic poll. */
  start(): Promise<void>;
  /** Stops consuming, waits for the requests in flight to finish and reply, and stops polling. */
  stop(): Promise<void>;
  /** Polls changed nodes and services now (joins the periodic poll when one is running). */
  refresh(): Promise<void>;
  /**
   * Re-reads the cells (`otherCells`) and places into the ones now mapped: a new cell's host states are loaded,
   * a removed or disabled cell is dropped, a cell whose database was reopened is reloaded over the new one
   * (Nova's scheduler refreshes its cell cache on SIGHUP). Nothing to do without `otherCells`.
   */
  reloadCells(): Promise<void>;
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
  private cache: HostStateCache | undefined;
  private mgr: SchedulerManager | undefined;
  private readonly placers: CellPlacer[] = [];
  private readonly placerDbs = new WeakMap<CellPlacer, CellDatabase>();
  private cellUuid: string | undefined;
  private readonly reg: ConductorServiceRegistry | undefined;
  private readonly lifecycle: NovaService;

  constructor(
    private readonly deps: SchedulerServiceDeps,
    readonly config: SchedulerServiceConfig,
    private readonly plugins: PluginRegistry,
  ) {
    const clock = deps.clock;
    const logger = deps.logger;
    this.reg = deps.serviceRegistration
      ? new ConductorServiceRegistry(
          new ConductorAPI({
            transport: deps.transport,
            rpcResponseTimeout: deps.serviceRegistration.rpcResponseTimeout,
          }),
        )
      : undefined;
    const poll = new PeriodicTask(
      // A failed poll is logged by the task and tried again at the next spacing.
      { name: "refresh_host_states", spacingMs: config.hostStateRefreshInterval * 1000 },
      async () => {
        await this.refreshCells();
      },
      clock,
      logger,
    );
    // Nova's periodic discover_hosts: only with an API database to write the host mappings to.
    const discovery = deps.apiDb
      ? hostDiscoveryTask({
          apiDb: deps.apiDb,
          cellDb: deps.cellDb,
          cellDatabases: deps.cellDatabases,
          intervalSeconds: config.discoverHostsInCellsInterval,
          clock,
          logger,
          // A host mapped to a cell this scheduler does not place into: a cell was added, read the cells again.
          onMapped: async (mapped) => {
            const known = new Set(this.placers.map((p) => p.cellUuid));
            if (mapped.some((m) => !known.has(m.cell_mapping.uuid ?? ""))) await this.reloadCells();
          },
        })
      : undefined;
    this.lifecycle = new NovaService({
      service: { host: config.host, binary: SCHEDULER_BINARY, topic: SCHEDULER_TOPIC },
      transport: deps.transport,
      registry: this.reg,
      // The scheduler serves select_destinations whether or not a conductor answers yet.
      registration: "background",
      reportInterval: config.reportInterval,
      serviceDownTime: config.scheduler.service_down_time,
      serviceGroup: deps.serviceGroup,
      ...(deps.gracefulShutdownTimeout !== undefined
        ? { gracefulShutdownTimeout: deps.gracefulShutdownTimeout }
        : {}),
      ...(deps.serviceRegistration?.retryDelayMs !== undefined
        ? { registrationRetryDelayMs: deps.serviceRegistration.retryDelayMs }
        : {}),
      clock,
      logger,
      manager: {
        initHost: () => this.loadHostStates(),
        // Over several cells (or able to gain some on SIGHUP) the endpoint reads the placers on every request.
        endpoints: () =>
          deps.otherCells || this.placers.length > 1
            ? [cellsEndpoint(() => this.placers)]
            : [this.manager.endpoint()],
        periodicTasks: () => (discovery ? [poll, discovery] : [poll]),
      },
    });
  }

  get manager(): SchedulerManager {
    if (!this.mgr) throw new ServiceLifecycleError("the scheduler service has not been started");
    return this.mgr;
  }

  get registration(): ConductorServiceRegistry | undefined {
    return this.reg;
  }

  get hostStates(): HostStateCache {
    if (!this.cache) throw new ServiceLifecycleError("the scheduler service has not been started");
    return this.cache;
  }

  async start(): Promise<void> {
    await this.lifecycle.start();
    this.deps.logger.info(
      {
        host: this.config.host,
        cell_uuid: this.cellUuid,
        hosts: this.cache?.hosts.size,
        refresh_interval: this.config.hostStateRefreshInterval,
      },
      "nova-scheduler started",
    );
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  async refresh(): Promise<void> {
    if (this.placers.length === 0) return this.hostStates.refresh(); // not started: says so
    await this.refreshCells();
  }

  // One cell's poll at a time per cell, each bounded by cell_timeout when there are several: a cell whose
  // database hangs must not hold the other cells' host states back. Its health says whether builds go to it.
  private async refreshCells(): Promise<void> {
    if (this.placers.length === 1) return this.placers[0]!.cache.refresh();
    const { clock, logger } = this.deps;
    const seconds = this.config.cellTimeout;
    await Promise.all(
      this.placers.map(async (p) => {
        const health = p.health ?? { answering: true };
        let timer: { cancel(): void } | undefined;
        const timeout = new Promise<"timeout">((resolve) => {
          timer = clock.setTimer(seconds * 1000, () => resolve("timeout"));
        });
        // A poll that hangs stays joined by the next ones (HostStateCache.refresh), so polls do not pile up.
        const outcome = await Promise.race([
          p.cache.refresh().then(
            () => "ok" as const,
            (err: unknown) => err,
          ),
          timeout,
        ]).finally(() => timer?.cancel());
        if (outcome === "ok") {
          if (!health.answering)
            logger.info({ cell_uuid: p.cellUuid }, "cell answers again; scheduling to it");
          health.answering = true;
          return;
        }
        if (health.answering) {
          logger.warn(
            {
              cell_uuid: p.cellUuid,
              err: outcome === "timeout" ? `no answer within ${seconds} s` : String(outcome),
            },
            "cell database not answering; not scheduling to it",
          );
        }
        health.answering = false;
      }),
    );
  }

  // Nova's init_host for the scheduler: the cells, their host states, a manager each.
  private async loadHostStates(): Promise<void> {
    this.cellUuid = this.deps.cellUuid ?? (await this.resolveCell());
    await this.placeInto(await this.cellsToPlaceInto());
  }

  async reloadCells(): Promise<void> {
    if (!this.deps.otherCells || this.placers.length === 0) return;
    const before = this.placers.map((p) => p.cellUuid);
    await this.placeInto(await this.cellsToPlaceInto());
    const after = this.placers.map((p) => p.cellUuid);
    this.deps.logger.info(
      {
        cells: after,
        added: after.filter((c) => !before.includes(c)),
        removed: before.filter((c) => !after.includes(c)),
      },
      "scheduler cells reloaded",
    );
  }

  private async cellsToPlaceInto(): Promise<{ cellUuid: string; cellDb: CellDatabase }[]> {
    const cellUuid = this.cellUuid ?? "";
    const others = (await this.deps.otherCells?.()) ?? [];
    // A scheduler whose own database is cell0's (beside a super conductor) places into the other cells only.
    const own = cellUuid === CELL0_UUID && others.length > 0 ? [] : [{ cellUuid, cellDb: this.deps.cellDb }];
    return [...own, ...others];
  }

  // Keeps the placers of cells it already has over the same database; loads the others' host states. The array
  // is replaced in place: the poll and the endpoint read it on every use.
  private async placeInto(cells: readonly { cellUuid: string; cellDb: CellDatabase }[]): Promise<void> {
    const { deps } = this;
    const next = await Promise.all(
      cells.map(async (cell): Promise<CellPlacer> => {
        const have = this.placers.find((p) => p.cellUuid === cell.cellUuid);
        if (have && this.placerDbs.get(have) === cell.cellDb) return have;
        const cache = new HostStateCache({
          cellDb: cell.cellDb,
          cellUuid: cell.cellUuid,
          logger: deps.logger,
          apiDb: deps.apiDb,
        });
        await cache.load();
        const manager = new SchedulerManager({
          cache,
          cellDb: cell.cellDb,
          config: this.config,
          cellUuid: cell.cellUuid,
          clock: deps.clock,
          logger: deps.logger,
          plugins: this.plugins,
          ...(deps.random ? { random: deps.random } : {}),
          observer: deps.schedulingObserver,
          serviceIsUp: deps.serviceIsUp,
          // Over several cells (now or after a reload) a cell that hangs must not hold a request.
          ...(deps.otherCells ? { cellTimeout: this.config.cellTimeout } : {}),
        });
        const placer = { cellUuid: cell.cellUuid, cache, manager, health: { answering: true } };
        this.placerDbs.set(placer, cell.cellDb);
        return placer;
      }),
    );
    if (next.length === 0) throw new CellUnresolvedError("no enabled cell to place into");
    this.placers.splice(0, this.placers.length, ...next);
    this.mgr = next[0]!.manager;
    this.cache = next[0]!.cache;
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
