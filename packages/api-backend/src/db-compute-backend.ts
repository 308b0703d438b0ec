import { randomUUID } from "node:crypto";
import {
  AggregateOperations,
  type AggregateRecord,
  type AggregateUpdate,
  BackendUnavailableError,
  type ComputeBackend,
  ComputeBackendError,
  ConsoleNotAvailableError,
  type CreatedKeyPair,
  type CreateServerSpec,
  checkServerAction,
  type EvacuateSpec,
  type FlavorCreateSpec,
  FlavorNotFoundError,
  type FlavorQuery,
  type FlavorRecord,
  generateKeyPair,
  type HostServer,
  HypervisorNotFoundError,
  type HypervisorQuery,
  type HypervisorRecord,
  type HypervisorResources,
  type HypervisorStatistics,
  ImageNotFoundError,
  type ImageQuery,
  type ImageRecord,
  type InstanceActionEventRecord,
  type InstanceActionQuery,
  type InstanceActionRecord,
  InstanceInvalidStateError,
  InstanceNotFoundError,
  InstanceNotReadyError,
  InvalidRequestError,
  type KeyPairCreateSpec,
  KeyPairExistsError,
  KeyPairNotFoundError,
  type KeyPairPage,
  type KeyPairRecord,
  keyPairFingerprint,
  type LiveMigrateSpec,
  MarkerNotFoundError,
  type MigrationQuery,
  type MigrationRecord,
  matchesTagFilters,
  QuotaExceededError,
  type QuotaUsageSet,
  type RebuildSpec,
  type RequestContext,
  type ResetState,
  type ServerAction,
  type ServerGroupCreateSpec,
  type ServerGroupQuery,
  type ServerGroupRecord,
  type ServerQuery,
  type ServerRecord,
  type ServerRef,
  type ServerTagAdd,
  type ServerUpdate,
  type ServiceChanges,
  ServiceNotFoundError,
  type ServiceRecord,
  type SnapshotSpec,
  sumHypervisorStatistics,
  type UnshelveSpec,
  type UsageQuery,
  type UsageServer,
} from "@nova/api";
import { type Clock, hasErrorCode, ReadCoalescer, systemClock } from "@nova/core";
import {
  type ApiDatabase,
  type CellDatabase,
  type ComputeNodeRecord,
  INSTANCE_REGEX_COLUMNS,
  INSTANCE_SORT_KEYS,
  type InstanceFilters,
  type InstanceRecord,
  type InstanceRegexColumn,
  type InstanceSortKey,
  type ServiceRecord as ServiceRow,
  safeRegexMatcher,
} from "@nova/db";
import { ImageNotFoundError as CatalogImageNotFound, type ImageStore } from "@nova/image-catalog";
import { MessagingError, RemoteError } from "@nova/messaging";
import {
  CELL0_UUID,
  hostZone,
  type Instance,
  instanceName,
  instanceResources,
  isServiceUp,
  type KeyPair,
  KeyPairListCodec,
  type NovaObjectPrimitive,
  type QuotaLimits,
  type QuotaRows,
  type RequestSpec,
  SERVER_ACTION_STATES,
  serverActionName,
  serviceZone,
  tagListNames,
  tagListPrimitive,
  type ZonedAggregate,
} from "@nova/objects";
import {
  type ComputeAPI,
  type ComputeLiveMigrationAPI,
  type ComputeResizeAPI,
  type ComputeTaskAPI,
  ConsoleNotAvailable,
  InstanceNotFound,
  type NovaContext,
  type SchedulerAPI,
  userContext,
} from "@nova/rpcapi";
import type { ServiceRecord as ServiceGroupRecord } from "@nova/servicegroup";
import {
  type CellAccess,
  type CellAnswer,
  type CellRef,
  scatterGather,
  singleCellAccess,
} from "./cell-scatter.js";
import { DbAggregateStore } from "./db-aggregate-store.js";
import { DbFlavorManagement, flavorVisibleTo } from "./flavor-management.js";
import { systemMetadataFromImage } from "./image-system-metadata.js";
import { getInstanceAction, listInstanceActions, resetServerState } from "./instance-actions.js";
import { DbMigrations } from "./migrations.js";
import { Quotas } from "./quotas.js";
import { requestSpecGroup, ServerGroups } from "./server-groups.js";
import { ServerLifecycle } from "./server-lifecycle.js";
import { ServerUpdates } from "./server-updates.js";
import { flavorRecord, serverRecord } from "./server-view.js";

/** The catalogue's not-found as the API's own error, which the API answers with Nova's fault. */
function asApiImageError(err: unknown): never {
  if (CatalogImageNotFound.isInstance(err)) throw new ImageNotFoundError(err.imageId);
  throw err;
}

/** Dependencies of the backend: the databases, the RPC clients, the image catalog and the clock. */
export interface DbComputeBackendDeps {
  /** The API database (flavors, build requests, request specs, mappings, quotas). */
  apiDb: ApiDatabase;
  /** The cell instances are built in (nova-ts runs one cell for now). */
  cellDb: CellDatabase;
  /** That cell's uuid, as mapped in the API database. */
  cellUuid: string;
  /** cell0, where builds that could not be scheduled end; may be omitted when it is the cell database itself. */
  cell0Db?: CellDatabase | undefined;
  /** Every cell's database and compute client (absent: the one cell above and cell0, as before). */
  cells?: CellAccess | undefined;
  /** The conductor's compute_task RPC client (schedule_and_build_instances). */
  computeTask: ComputeTaskAPI;
  /** nova-compute's RPC client (actions, console output). */
  compute: ComputeAPI;
  /** nova-compute's resize client (confirmResize, revertResize); without it those answer 503. */
  resize?: ComputeResizeAPI | undefined;
  /** The computes' live-migration client (force_complete and abort answer 503 without it). */
  live?: ComputeLiveMigrationAPI | undefined;
  /** nova-scheduler's RPC client: aggregate changes are cast to every scheduler (absent: they poll). */
  scheduler?: SchedulerAPI | undefined;
  /** Where images come from, and snapshots go (the local image catalogue). */
  images: ImageStore;
  /** Time for created_at/updated_at stamps and service liveness (default the system clock). */
  clock?: Clock;
  /**
   * Nova's servicegroup `service_is_up` when `servicegroup_driver` names a plug-in (`ServiceGroup.serviceIsUp`
   * over it): the liveness `os-services`, `os-hypervisors`, a server's host status and a delete's choice of a
   * local delete read. Absent: the database's heartbeat stamps judged by `service_down_time` (the `db` driver).
   */
  serviceIsUp?: ((service: ServiceGroupRecord) => Promise<boolean>) | undefined;
  /** The options this backend reads. */
  config: {
    /** `[DEFAULT] service_down_time`, for `os-services` state and host status. */
    serviceDownTime: number;
    /** `[DEFAULT] default_availability_zone`. */
    defaultAvailabilityZone: string;
    /** `[DEFAULT] instance_name_template`: names servers as their hypervisors do. */
    instanceNameTemplate: string;
    /** `[DEFAULT] allow_resize_to_same_host` (default false). */
    allowResizeToSameHost?: boolean;
    /** `[DEFAULT] cell_timeout`: seconds a fan-out waits for a cell before skipping it (default 60, as Nova). */
    cellTimeout?: number;
  };
}

/** Where an instance is: still a build request, or a row in a cell. */
type Located =
  | { kind: "build"; instance: Partial<Instance> & { uuid: string } }
  | {
      kind: "cell";
      db: CellDatabase;
      instance: InstanceRecord;
      cellUuid: string;
      /** The compute client over the cell's broker, opened when an action needs it (cell0 has no broker). */
      compute: () => Promise<ComputeAPI>;
    };

/**
 * nova-api's side of the cloud (Nova's `nova.compute.api.API`) over the API and cell databases and RPC:
 * a boot records a build request and request spec and casts to the conductor; reads merge build requests
 * (not yet in a cell) with the cell's instances; actions set their task state conditionally, then cast to
 * the instance's compute host.
 */
export class DbComputeBackend implements ComputeBackend {
  private readonly clock: Clock;
  private readonly nameTemplate: string;
  private readonly aggregateOps: AggregateOperations;
  private readonly serverGroups: ServerGroups;
  private readonly flavorManagement: DbFlavorManagement;
  private readonly quotas: Quotas;
  /** Identical reads in flight together share one database round trip; never answers from the past. */
  private readonly reads = new ReadCoalescer();

  /**
   * A backend over the API and cell databases and the conductor/compute RPC clients in `deps`; it holds no
   * connection of its own.
   */
  constructor(private readonly deps: DbComputeBackendDeps) {
    this.flavorManagement = new DbFlavorManagement(deps.apiDb);
    this.clock = deps.clock ?? systemClock;
    this.cellAccess =
      deps.cells ??
      singleCellAccess({
        cellUuid: deps.cellUuid,
        cellDb: deps.cellDb,
        cell0Uuid: CELL0_UUID,
        cell0Db: deps.cell0Db,
        compute: deps.compute,
        resize: deps.resize,
        live: deps.live,
      });
    // cell0 counted once: it may be the cell database itself. Down cells are skipped (docs/cells.md).
    this.quotas = new Quotas({
      apiDb: deps.apiDb,
      cellDb: deps.cellDb,
      cell0Db: this.cell0(),
      reads: this.reads,
      ...(deps.cells
        ? {
            countInCells: async (projectId: string, userId?: string) =>
              this.answered(await this.eachCell((db) => db.instances.countUsage(projectId, userId))).map(
                (a) => a.value,
              ),
          }
        : {}),
    });
    this.nameTemplate = deps.config.instanceNameTemplate;
    this.aggregateOps = new AggregateOperations(
      new DbAggregateStore({ ...deps, novaContext: (ctx) => this.novaContext(ctx) }),
    );
    this.serverGroups = new ServerGroups(deps.apiDb);
    this.updates = new ServerUpdates({
      apiDb: deps.apiDb,
      locate: (uuid) => this.locate(uuid),
      getServer: (ctx, uuid) => this.getServer(ctx, uuid),
    });
  }

  private readonly updates: ServerUpdates;
  private lifecycleOps: ServerLifecycle | undefined;
  // Built on first use: the constructor's parameter properties are not set yet when fields initialise.
  private get lifecycle(): ServerLifecycle {
    this.lifecycleOps ??= new ServerLifecycle({
      apiDb: this.deps.apiDb,
      images: this.deps.images,
      computeTask: this.deps.computeTask,
      clock: this.deps.clock ?? systemClock,
      defaultAvailabilityZone: this.deps.config.defaultAvailabilityZone,
      locate: (uuid) => this.locate(uuid),
      getServer: (ctx, uuid) => this.getServer(ctx, uuid),
      keyPair: (userId, name) => this.keyPairRow(userId, name),
      deleteServer: (ctx, uuid) => this.deleteServer(ctx, uuid),
      computeUp: async (db, host) => {
        const svc = await db.services.getByComputeHost(host).catch(() => undefined);
        return svc !== undefined && (await this.up(svc));
      },
      novaContext: (ctx) => this.novaContext(ctx),
    });
    return this.lifecycleOps;
  }

  // Resize, cold migration and os-migrations (DbMigrations), delegated in one block.
  private migrationsCache: DbMigrations | undefined;
  private get migrations(): DbMigrations {
    this.migrationsCache ??= this.createMigrations();
    return this.migrationsCache;
  }
  private createMigrations(): DbMigrations {
    return new DbMigrations({
      apiDb: this.deps.apiDb,
      // Every cell but one that does not answer (os-migrations lists what it can, as the server lists do).
      cells: async () => {
        const answers = await this.eachCell(async (db) => db);
        return answers.flatMap((a) => (a.ok ? [a.value] : []));
      },
      locate: async (uuid, ctx) => {
        const found = await this.locate(uuid, false, ctx);
        if (found.kind !== "cell") return null;
        const { cellUuid } = found;
        return {
          db: found.db,
          instance: found.instance,
          resize: async () => this.cellAccess.resize?.(cellUuid),
          live: async () => this.cellAccess.live?.(cellUuid),
        };
      },
      computeTask: this.deps.computeTask,
      novaContext: (ctx) => this.novaContext(ctx),
      allowResizeToSameHost: this.deps.config.allowResizeToSameHost ?? false,
      isUp: (svc) => this.up(svc),
    });
  }

  /** {@inheritDoc MigrationBackend.resizeServer} */
  resizeServer(ctx: RequestContext, uuid: string, flavorId: string): Promise<void> {
    return this.migrations.resizeServer(ctx, uuid, flavorId);
  }

  /** {@inheritDoc MigrationBackend.liveMigrateServer} */
  liveMigrateServer(ctx: RequestContext, uuid: string, spec: LiveMigrateSpec): Promise<void> {
    return this.migrations.liveMigrateServer(ctx, uuid, spec);
  }

  /** {@inheritDoc MigrationBackend.evacuateServer} */
  evacuateServer(ctx: RequestContext, uuid: string, spec: EvacuateSpec): Promise<void> {
    return this.migrations.evacuateServer(ctx, uuid, spec);
  }

  /** {@inheritDoc MigrationBackend.forceCompleteLiveMigration} */
  forceCompleteLiveMigration(ctx: RequestContext, uuid: string, migrationId: number): Promise<void> {
    return this.migrations.forceCompleteLiveMigration(ctx, uuid, migrationId);
  }

  /** {@inheritDoc MigrationBackend.abortLiveMigration} */
  abortLiveMigration(
    ctx: RequestContext,
    uuid: string,
    migrationId: number,
    abortQueued: boolean,
  ): Promise<void> {
    return this.migrations.abortLiveMigration(ctx, uuid, migrationId, abortQueued);
  }

  /** {@inheritDoc MigrationBackend.migrateServer} */
  migrateServer(ctx: RequestContext, uuid: string, host: string | null): Promise<void> {
    return this.migrations.migrateServer(ctx, uuid, host);
  }

  /** {@inheritDoc MigrationBackend.confirmResize} */
  confirmResize(ctx: RequestContext, uuid: string): Promise<void> {
    return this.migrations.confirmResize(ctx, uuid);
  }

  /** {@inheritDoc MigrationBackend.revertResize} */
  revertResize(ctx: RequestContext, uuid: string): Promise<void> {
    return this.migrations.revertResize(ctx, uuid);
  }

  /** {@inheritDoc MigrationBackend.listMigrations} */
  listMigrations(ctx: RequestContext, query: MigrationQuery): Promise<MigrationRecord[]> {
    return this.migrations.listMigrations(ctx, query);
  }

  /** {@inheritDoc MigrationBackend.listServerMigrations} */
  listServerMigrations(ctx: RequestContext, uuid: string, migrationType: string): Promise<MigrationRecord[]> {
    return this.migrations.listServerMigrations(ctx, uuid, migrationType);
  }

  private novaContext(ctx: RequestContext): NovaContext {
    return userContext({
      user_id: ctx.userId,
      project_id: ctx.projectId,
      roles: [...ctx.roles],
      is_admin: ctx.isAdmin,
      request_id: ctx.requestId,
      // The API's request id names the whole chain of work on every hop (docs/decisions/2026-12-06-global-request-id.md).
      global_request_id: ctx.requestId,
      remote_address: ctx.remoteAddress,
    });
  }

  private cell0(): CellDatabase | undefined {
    const c0 = this.deps.cell0Db;
    return c0 && c0 !== this.deps.cellDb ? c0 : undefined;
  }

  private readonly cellAccess: CellAccess;

  /**
   * Nova's cell-after-cell paging (os-hypervisors, simple-tenant-usage): each cell in turn, the marker looked
   * for in each until one has it (MarkerNotFoundError elsewhere), then the following cells from their start,
   * until `limit` rows. A cell that does not answer within cell_timeout is skipped.
   */
  private async walkCells<T>(
    marker: string | undefined,
    limit: number | undefined,
    page: (db: CellDatabase, from: { marker?: string; limit: number }) => Promise<T[]>,
  ): Promise<T[]> {
    const out: T[] = [];
    let from = marker;
    let left = limit ?? Number.MAX_SAFE_INTEGER;
    for (const cell of await this.cellAccess.cells()) {
      const [answer] = await scatterGather(
        [cell],
        async () =>
          page(await this.cellAccess.database(cell.uuid), {
            limit: left,
            ...(from !== undefined ? { marker: from } : {}),
          }),
        { timeoutMs: (this.deps.config.cellTimeout ?? 60) * 1000, clock: this.clock },
      );
      if (!answer!.ok) {
        if (answer!.reason === "error" && MarkerNotFoundError.isInstance(answer!.error)) continue;
        if (answer!.reason === "error" && ComputeBackendError.isInstance(answer!.error)) throw answer!.error;
        continue; // down: skipped, as Nova skips a cell that does not respond
      }
      out.push(...answer!.value);
      from = undefined;
      left -= answer!.value.length;
      if (left <= 0) break;
    }
    if (from !== undefined && out.length === 0) throw new MarkerNotFoundError(from);
    return out;
  }

  /** Runs `fn` on every cell's database at once, waiting `[DEFAULT] cell_timeout` at most (Nova's scatter-gather). */
  private async eachCell<T>(fn: (db: CellDatabase, cell: CellRef) => Promise<T>): Promise<CellAnswer<T>[]> {
    const cells = await this.cellAccess.cells();
    return scatterGather(cells, async (cell) => fn(await this.cellAccess.database(cell.uuid), cell), {
      timeoutMs: (this.deps.config.cellTimeout ?? 60) * 1000,
      clock: this.clock,
    });
  }

  /** The answers of the cells that answered in time (the others are skipped, as Nova skips down cells). */
  private answered<T>(answers: CellAnswer<T>[]): Array<{ cell: CellRef; value: T }> {
    return answers.flatMap((a) => (a.ok ? [{ cell: a.cell, value: a.value }] : []));
  }

  // ---- boot -------------------------------------------------------------------------------------

  /** Checks flavor, image and quota, records build requests and specs, casts schedule_and_build_instances. */
  async createServers(ctx: RequestContext, spec: CreateServerSpec): Promise<ServerRecord[]> {
    const { apiDb, images } = this.deps;
    // Boots arriving together ask for the same flavor: one read serves them (see ReadCoalescer).
    const flavor = await this.reads
      .read(`flavor:${spec.flavorId}`, () => apiDb.flavors.getByFlavorId(spec.flavorId))
      .catch((err: unknown) => {
        if (isNotFound(err)) throw new FlavorNotFoundError(spec.flavorId);
        throw err;
      });
    // A private flavor not shared with the caller's project is unknown to it, as in Nova.
    if (flavor.disabled || !flavorVisibleTo(ctx, flavor)) throw new FlavorNotFoundError(spec.flavorId);
    const image = await images.get(spec.imageRef).catch(asApiImageError);
    if (image.status !== "active") throw new InvalidRequestError(`Image ${image.id} is not active.`);
    if (flavor.memory_mb < image.minRam)
      throw new InvalidRequestError("Flavor's memory is too small for requested image.");
    if (flavor.root_gb > 0 && flavor.root_gb < image.minDisk) {
      throw new InvalidRequestError("Flavor's disk is too small for requested image.");
    }
    // Nova's compute API: the caller's own key pair by name (before the quota check); its public key and
    // the pair go into the instance.
    const keyPair = spec.keyName !== null ? await this.keyPairRow(ctx.userId, spec.keyName) : null;
    // The `group` hint: the group must exist and have room for these servers in the user's members quota.
    const hint = groupHint(spec.schedulerHints);
    const group = hint !== null ? await this.serverGroups.forBoot(ctx, hint, spec.maxCount) : null;
    const count = await this.quotas.checkBoot(ctx.projectId, ctx.userId, {
      vcpus: flavor.vcpus,
      memoryMb: flavor.memory_mb,
      minCount: spec.minCount,
      maxCount: spec.maxCount,
      metadataItems: Object.keys(spec.metadata).length,
    });

    const now = new Date(this.clock.now());
    const reservationId = `r-${randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const instances: Array<Partial<Instance> & { uuid: string }> = [];
    for (let index = 0; index < count; index++) {
      const name = count > 1 ? `${spec.name}-${index + 1}` : spec.name;
      instances.push({
        uuid: randomUUID(),
        display_name: name,
        display_description: spec.description,
        hostname: spec.hostname ?? sanitizeHostname(name),
        project_id: ctx.projectId,
        user_id: ctx.userId,
        image_ref: spec.imageRef,
        vm_state: "building",
        task_state: "scheduling",
        power_state: 0,
        flavor,
        instance_type_id: flavor.id,
        memory_mb: flavor.memory_mb,
        vcpus: flavor.vcpus,
        root_gb: flavor.root_gb,
        ephemeral_gb: flavor.ephemeral_gb,
        availability_zone: spec.availabilityZone,
        metadata: { ...spec.metadata },
        system_metadata: systemMetadataFromImage(image),
        key_name: keyPair?.name ?? null,
        key_data: keyPair?.public_key ?? null,
        keypairs: KeyPairListCodec.toPrimitive(keyPair ? [keyPair] : []),
        user_data: spec.userData,
        reservation_id: reservationId,
        launch_index: index,
        config_drive: spec.configDrive ? "True" : "",
        access_ip_v4: spec.accessIPv4,
        access_ip_v6: spec.accessIPv6,
        auto_disk_config: spec.autoDiskConfig,
        locked: false,
        progress: 0,
        created_at: now,
      });
    }
    const uuids = instances.map((i) => i.uuid);
    const specs: Array<Partial<RequestSpec> & { instance_uuid: string }> = instances.map((instance) => ({
      instance_uuid: instance.uuid,
      project_id: ctx.projectId,
      user_id: ctx.userId,
      flavor,
      num_instances: count,
      availability_zone: spec.availabilityZone,
      image: imageMeta(image),
      scheduler_hints: stringListHints(spec.schedulerHints),
      ignore_hosts: null,
      force_hosts: spec.forcedHost ? [spec.forcedHost] : null,
      force_nodes: spec.forcedNode ? [spec.forcedNode] : null,
      requested_destination: requestedDestination(spec),
      instance_group: group ? requestSpecGroup(group, uuids) : null,
      is_bfv: false,
    }));

    // Nova writes the mapping, the build request and the request spec, then casts. Nobody can ask for these
    // servers before the POST answers, so the three writes go out together (one round trip, not three); if
    // any of them or the cast fails, all are undone, so no server sits in BUILD that no conductor will see.
    const recorded: string[] = instances.map((i) => i.uuid);
    try {
      await allSettledOrThrow(
        instances.flatMap((instance, i) => [
          apiDb.mappings.createInstanceMapping({
            instance_uuid: instance.uuid,
            project_id: ctx.projectId,
            user_id: ctx.userId,
          }),
          apiDb.buildRequests.create({
            instance_uuid: instance.uuid,
            project_id: ctx.projectId,
            instance,
            block_device_mappings: emptyList("BlockDeviceMappingList", "1.18"),
            tags: tagListPrimitive(spec.tags),
          }),
          apiDb.requestSpecs.save(specs[i]!),
        ]),
      );
      // Members once their mappings exist (the members quota counts mapped, undeleted servers).
      if (group) await this.serverGroups.addMembers(ctx, group.uuid, uuids);
      await this.deps.computeTask.scheduleAndBuildInstances(this.novaContext(ctx), {
        build_requests: instances.map((instance) => ({
          instance_uuid: instance.uuid,
          project_id: ctx.projectId,
          instance,
          tags: tagListPrimitive(spec.tags),
        })),
        request_specs: specs,
        image: {
          id: image.id,
          name: image.name,
          min_ram: image.minRam,
          min_disk: image.minDisk,
          properties: image.properties,
        },
        admin_password: spec.adminPass,
        requested_networks: spec.networks === "none" || spec.networks === "auto" ? spec.networks : null,
        tags: [...spec.tags],
      });
    } catch (err) {
      if (group) await apiDb.serverGroups.removeMembers(group.uuid, uuids).catch(() => undefined);
      await this.undoBuild(recorded);
      if (MessagingError.isInstance(err)) {
        throw new BackendUnavailableError(undefined, { cause: err });
      }
      throw err;
    }
    return instances.map((i) => serverRecord(i, { instanceNameTemplate: this.nameTemplate }));
  }

  private async undoBuild(uuids: string[]): Promise<void> {
    const { apiDb } = this.deps;
    for (const uuid of uuids) {
      await apiDb.buildRequests.delete(uuid).catch(() => false);
      await apiDb.requestSpecs.delete(uuid).catch(() => undefined);
      await apiDb.mappings.deleteInstanceMapping(uuid).catch(() => undefined);
    }
  }

  // ---- reads ------------------------------------------------------------------------------------

  /** One server: its build request while not yet in a cell, else the cell's instance. */
  async getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord> {
    // The groups (shown from 2.71) are read beside the instance: independent reads, one round trip.
    const groups = this.deps.apiDb.serverGroups.groupUuidsOf(uuid);
    groups.catch(() => undefined);
    const found = await this.locate(uuid);
    if (found.kind === "build") {
      const [server] = await this.inHostZones([
        serverRecord(found.instance, { instanceNameTemplate: this.nameTemplate, tags: [] }),
      ]);
      return { ...server!, serverGroups: await groups };
    }
    const [hostStatus, tags] = await Promise.all([
      ctx.isAdmin ? this.hostStatus(found.db, found.instance.host) : undefined,
      found.db.tags.list(uuid),
    ]);
    const [server] = await this.inHostZones([
      serverRecord(found.instance, {
        fault: found.instance.fault,
        hostStatus,
        instanceNameTemplate: this.nameTemplate,
        tags,
      }),
    ]);
    return { ...server!, serverGroups: await groups };
  }

  /**
   * Nova's get_instance_availability_zone: a placed server is in its host's zone as the aggregates say now
   * (a host may have joined a zone since the boot), an unplaced one in the zone it asked for.
   */
  private async inHostZones(servers: ServerRecord[]): Promise<ServerRecord[]> {
    if (!servers.some((s) => s.host)) return servers;
    // Every list and show of placed servers reads the zones: requests in flight together share one read.
    const aggregates = await this.reads.read("aggregates", () => this.deps.apiDb.aggregates.list());
    const zone = this.deps.config.defaultAvailabilityZone;
    return servers.map((s) => (s.host ? { ...s, availabilityZone: hostZone(aggregates, s.host, zone) } : s));
  }

  /**
   * The server an action checked (findServer) before acting, for that request's next locate of it: an action
   * reads its instance once, as Nova's API loads it once and hands it on.
   */
  private readonly found = new WeakMap<RequestContext, Map<string, Located>>();

  /** A server's owner and state for an action's checks: the instance alone (no tags, groups, fault or zone). */
  async findServer(ctx: RequestContext, uuid: string): Promise<ServerRef> {
    const found = await this.locate(uuid, false, undefined, false);
    const mine = this.found.get(ctx) ?? new Map<string, Located>();
    this.found.set(ctx, mine);
    mine.set(uuid, found);
    const { projectId, userId, vmState, taskState, host } = serverRecord(found.instance);
    return { uuid, projectId, userId, vmState, taskState, host };
  }

  /**
   * Where an instance is: still a build request, or a row in a cell. With `ctx`, what that request's findServer
   * read is taken instead (once). `withFault` reads the instance's latest fault too (what a show needs).
   */
  private async locate(
    uuid: string,
    readDeleted = false,
    ctx?: RequestContext,
    withFault = true,
  ): Promise<Located> {
    if (ctx && !readDeleted) {
      const mine = this.found.get(ctx);
      const hit = mine?.get(uuid);
      if (mine && hit) {
        mine.delete(uuid);
        return hit;
      }
    }
    const { apiDb } = this.deps;
    // Two reads at most: the conductor may move a build request into a cell between them.
    for (let attempt = 0; attempt < 2; attempt++) {
      const mapping = await apiDb.mappings.getInstanceMapping(uuid).catch((err: unknown) => {
        if (isNotFound(err)) throw new InstanceNotFoundError(uuid);
        throw err;
      });
      if (!mapping.cell_mapping) {
        const br = await apiDb.buildRequests.getByInstanceUuid(uuid).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        if (br) return { kind: "build", instance: { ...br.instance, uuid } };
        continue;
      }
      const cellUuid = mapping.cell_mapping.uuid;
      if (cellUuid === undefined) throw new InstanceNotFoundError(uuid);
      // Nova's target_cell under cell_timeout: a cell that does not answer is the service being unavailable.
      const [answer] = await scatterGather(
        [{ uuid: cellUuid, name: mapping.cell_mapping.name ?? null }],
        async () => {
          const db = await this.cellAccess.database(cellUuid);
          return { db, instance: await db.instances.get(uuid, { withFault, readDeleted }) };
        },
        { timeoutMs: (this.deps.config.cellTimeout ?? 60) * 1000, clock: this.clock },
      );
      if (!answer!.ok) {
        if (answer!.reason === "error" && isNotFound(answer!.error)) throw new InstanceNotFoundError(uuid);
        throw new BackendUnavailableError(
          `Cell ${mapping.cell_mapping.name ?? cellUuid} is not responding; try again later.`,
          { cause: answer!.reason === "error" ? answer!.error : undefined },
        );
      }
      return { kind: "cell", ...answer!.value, cellUuid, compute: () => this.cellAccess.compute(cellUuid) };
    }
    throw new InstanceNotFoundError(uuid);
  }

  // ---- instance actions and os-resetState (InstanceActionBackend; the logic is in instance-actions.ts) ----

  /** One server, deleted or not (os-instance-actions from 2.21). */
  async getServerIncludingDeleted(_ctx: RequestContext, uuid: string): Promise<ServerRecord> {
    const found = await this.locate(uuid, true);
    return found.kind === "build"
      ? serverRecord(found.instance, { instanceNameTemplate: this.nameTemplate })
      : serverRecord(found.instance, {
          fault: found.instance.fault,
          instanceNameTemplate: this.nameTemplate,
        });
  }

  /** The server's actions in its cell; none while it is still a build request. */
  async listInstanceActions(
    _ctx: RequestContext,
    uuid: string,
    query: InstanceActionQuery,
  ): Promise<InstanceActionRecord[]> {
    const found = await this.locate(uuid, true);
    if (found.kind === "build") {
      if (query.marker !== undefined) throw new MarkerNotFoundError(query.marker);
      return [];
    }
    return listInstanceActions(found.db, uuid, query);
  }

  /** One action of the server with its events, or null. */
  async getInstanceAction(
    _ctx: RequestContext,
    uuid: string,
    requestId: string,
  ): Promise<{ action: InstanceActionRecord; events: InstanceActionEventRecord[] } | null> {
    const found = await this.locate(uuid, true);
    return found.kind === "build" ? null : getInstanceAction(found.db, uuid, requestId);
  }

  /** Nova's os-resetState on the instance in its cell (a build request has no row to reset: not found). */
  async resetServerState(ctx: RequestContext, uuid: string, state: ResetState): Promise<void> {
    const found = await this.locate(uuid);
    if (found.kind === "build") throw new InstanceNotFoundError(uuid);
    await resetServerState(found.db, ctx, uuid, state).catch((err: unknown) => {
      if (isNotFound(err)) throw new InstanceNotFoundError(uuid);
      throw err;
    });
  }

  private async hostStatus(db: CellDatabase, host: string | null | undefined): Promise<string> {
    if (!host) return "";
    const svc = await db.services.getByComputeHost(host).catch(() => undefined);
    if (!svc) return "UNKNOWN";
    if (!(await this.up(svc))) return "DOWN";
    return svc.disabled ? "MAINTENANCE" : "UP";
  }

  private async up(svc: ServiceRow): Promise<boolean> {
    const viaDriver = this.deps.serviceIsUp;
    if (!viaDriver) return isServiceUp(svc, this.clock.now(), this.deps.config.serviceDownTime);
    return viaDriver({
      host: svc.host ?? "",
      binary: svc.binary ?? "",
      topic: svc.topic ?? "",
      forcedDown: svc.forced_down,
      disabled: svc.disabled,
      disabledReason: svc.disabled_reason,
      reportCount: svc.report_count,
      lastSeenUp: svc.last_seen_up?.getTime() ?? null,
      createdAt: svc.created_at?.getTime() ?? 0,
      updatedAt: svc.updated_at?.getTime() ?? null,
    });
  }

  /**
   * Build requests and every cell's instances (cell0 included) merged, filtered, sorted and paged. One total
   * order rules them all (the sort keys, Nova's created_at and id, then uuid): each cell pages by keyset in
   * SQL, the build requests are ordered by the same keys here, and a marker found in one places the others.
   * A cell that does not answer within `cell_timeout` is skipped; from 2.69 its servers are listed UNKNOWN.
   */
  async listServers(_ctx: RequestContext, query: ServerQuery): Promise<ServerRecord[]> {
    const filters = await this.instanceFilters(query);
    const sort = listSort(query.sort);
    const cmp = comparator(sort);
    const page = {
      sortKeys: sort.map((s) => s.key as InstanceSortKey),
      sortDirs: sort.map((s) => s.dir),
    };
    const nameMatches = query.name !== undefined ? regexMatcher(query.name) : () => true;
    // The same regex filters the database applies to its rows, on the build requests' instances.
    const columnMatchers = Object.entries(columnRegex(query)).map(
      ([column, pattern]) => [column, regexMatcher(pattern)] as const,
    );
    const columnsMatch = (columns: Record<string, unknown>) =>
      columnMatchers.every(([column, matches]) => {
        const value = columns[column];
        return value !== null && value !== undefined && matches(String(value));
      });
    const listed = (columns: Record<string, unknown>, server: ServerRecord): Listed => ({ columns, server });

    // The small source: build requests not yet placed in a cell. Read whole, ordered here.
    const extra: Listed[] = [];
    if (!query.deleted && (!query.vmStates || query.vmStates.includes("building"))) {
      const brs =
        query.projectId !== undefined
          ? await this.deps.apiDb.buildRequests.listByProject(query.projectId)
          : [];
      for (const br of brs) {
        // A build request's instance has no row in any cell yet: no id, created when the request was.
        const instance = { ...br.instance, uuid: br.instance_uuid };
        const s = serverRecord(instance, {
          instanceNameTemplate: this.nameTemplate,
          tags: tagListNames(br.tags),
        });
        const columns = { ...instance, id: null };
        if (matchesQuery(s, query) && nameMatches(s.name) && columnsMatch(columns))
          extra.push(listed(columns, s));
      }
    }
    extra.sort((a, b) => cmp(a.columns, b.columns));

    // The marker is looked for in every cell at once, then among the build requests.
    let markerColumns: Record<string, unknown> | undefined;
    let markerCell: string | undefined;
    if (query.marker !== undefined) {
      const marker = query.marker;
      const found = await this.eachCell((db) =>
        db.instances.get(marker, { readDeleted: true }).catch(() => undefined),
      );
      const hit = this.answered(found).find((a) => a.value !== undefined);
      if (hit) {
        markerColumns = hit.value;
        markerCell = hit.cell.uuid;
      } else {
        markerColumns = extra.find((s) => s.server.uuid === marker)?.columns;
        if (!markerColumns) throw new MarkerNotFoundError(marker);
      }
    }
    // Each cell pages by keyset in SQL from the marker's sort values (`limit` rows each at most); the pages are
    // merged here in the same total order (Nova's multi_cell_list), each cell's own order kept as its SQL gave it.
    const answers = await this.eachCell(async (db, cell) => {
      const from =
        markerColumns === undefined
          ? {}
          : cell.uuid === markerCell
            ? { marker: query.marker! }
            : { markerValues: markerColumns };
      const rows = await this.listCell(db, filters, { ...page, limit: query.limit, ...from });
      const tags = await db.tags.listFor(rows.map((r) => r.uuid));
      return rows.map((row) =>
        listed(
          row,
          serverRecord(row, {
            fault: row.fault,
            instanceNameTemplate: this.nameTemplate,
            tags: tags.get(row.uuid) ?? [],
          }),
        ),
      );
    });
    const sources: Listed[][] = [
      markerColumns ? extra.filter((s) => cmp(s.columns, markerColumns) > 0) : extra,
    ];
    const down: CellRef[] = [];
    for (const a of answers) {
      if (a.ok) sources.push(a.value);
      // The request's own fault (a bad marker or filter) is the answer, whichever cell found it.
      else if (a.reason === "error" && ComputeBackendError.isInstance(a.error)) throw a.error;
      else down.push(a.cell);
    }
    const out = mergeSorted(sources, (a, b) => cmp(a.columns, b.columns), query.limit).map((l) => l.server);
    if (down.length > 0 && query.cellDownSupport) {
      // Nova from 2.69: the down cells' live instances as the API database knows them, ahead of the rest.
      return [
        ...(await this.cellDownServers(down, query.projectId, query.limit - out.length)),
        ...(await this.inHostZones(out)),
      ];
    }
    return this.inHostZones(out);
  }

  /** Minimal records of the instances mapped to cells that did not answer (Nova's down-cell constructs). */
  private async cellDownServers(
    cells: readonly CellRef[],
    projectId: string | undefined,
    limit: number,
  ): Promise<ServerRecord[]> {
    const out: ServerRecord[] = [];
    for (const cell of cells) {
      if (out.length >= limit) break;
      const mappings = await this.deps.apiDb.mappings.listLiveInstanceMappingsInCell(cell.uuid, {
        projectId,
        limit: limit - out.length,
      });
      for (const m of mappings) {
        out.push({
          ...serverRecord({
            uuid: m.instance_uuid,
            project_id: m.project_id,
            user_id: m.user_id,
            created_at: m.created_at ?? new Date(0),
          }),
          cellDown: true,
        });
      }
    }
    return out;
  }

  private listCell(
    db: CellDatabase,
    filters: InstanceFilters,
    page: Parameters<CellDatabase["instances"]["list"]>[1],
  ): Promise<InstanceRecord[]> {
    return db.instances.list(filters, page, { withFault: true }).catch((err: unknown) => {
      if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(page?.marker ?? "");
      throw asInvalidFilter(err);
    });
  }

  private async instanceFilters(query: ServerQuery): Promise<InstanceFilters> {
    const filters: InstanceFilters = {};
    if (query.projectId !== undefined) filters.project_id = query.projectId;
    if (query.userId !== undefined) filters.user_id = query.userId;
    if (query.vmStates) filters.vm_state = query.vmStates;
    if (query.taskStates) filters.task_state = query.taskStates;
    if (query.imageRef !== undefined) filters.image_ref = query.imageRef;
    if (query.reservationId !== undefined) filters.reservation_id = query.reservationId;
    if (query.host !== undefined) filters.host = query.host;
    if (query.locked !== undefined) filters.locked = query.locked;
    const regex: Record<string, string> = { ...columnRegex(query) };
    if (query.name !== undefined) regex.display_name = query.name;
    if (Object.keys(regex).length > 0) filters.regex = regex;
    if (query.uuid !== undefined) filters.uuid = [query.uuid];
    if (query.vmState !== undefined) filters.vm_state = [query.vmState];
    if (query.taskState !== undefined) filters.task_state = [query.taskState];
    if (query.changesSince) filters.changes_since = query.changesSince;
    if (query.changesBefore) filters.changes_before = query.changesBefore;
    if (!query.changesSince && !query.changesBefore && query.deleted) filters.deleted = "any";
    if (query.tags) filters.tags = query.tags;
    if (query.tagsAny) filters.tags_any = query.tagsAny;
    if (query.notTags) filters.not_tags = query.notTags;
    if (query.notTagsAny) filters.not_tags_any = query.notTagsAny;
    if (query.flavorId !== undefined) {
      const flavor = await this.deps.apiDb.flavors.getByFlavorId(query.flavorId).catch(() => undefined);
      filters.instance_type_id = flavor ? flavor.id : -1;
    }
    return filters;
  }

  // ---- update, metadata, tags, lock (ServerUpdates) --------------------------------------------

  /** Saves a server update (ServerUpdates). */
  updateServer(ctx: RequestContext, uuid: string, changes: ServerUpdate): Promise<ServerRecord> {
    return this.updates.updateServer(ctx, uuid, changes);
  }

  /** Merges or replaces metadata (ServerUpdates). */
  updateServerMetadata(
    ctx: RequestContext,
    uuid: string,
    metadata: Record<string, string>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    return this.updates.updateServerMetadata(ctx, uuid, metadata, replace);
  }

  /** Removes a metadata key (ServerUpdates). */
  deleteServerMetadataItem(ctx: RequestContext, uuid: string, key: string): Promise<boolean> {
    return this.updates.deleteServerMetadataItem(ctx, uuid, key);
  }

  /** Replaces the tags (ServerUpdates). */
  replaceServerTags(ctx: RequestContext, uuid: string, tags: readonly string[]): Promise<string[]> {
    return this.updates.replaceServerTags(ctx, uuid, tags);
  }

  /** Adds a tag (ServerUpdates). */
  addServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<ServerTagAdd> {
    return this.updates.addServerTag(ctx, uuid, tag);
  }

  /** Removes a tag (ServerUpdates). */
  deleteServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<boolean> {
    return this.updates.deleteServerTag(ctx, uuid, tag);
  }

  /** Removes every tag (ServerUpdates). */
  deleteServerTags(ctx: RequestContext, uuid: string): Promise<void> {
    return this.updates.deleteServerTags(ctx, uuid);
  }

  /** Locks a server (ServerUpdates). */
  lockServer(ctx: RequestContext, uuid: string, reason: string | null): Promise<void> {
    return this.updates.lockServer(ctx, uuid, reason);
  }

  /** Unlocks a server (ServerUpdates). */
  unlockServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.updates.unlockServer(ctx, uuid);
  }

  // ---- rebuild, shelve, rescue, snapshots, soft delete (ServerLifecycle) --------------------------

  /** Rebuilds from a new image (ServerLifecycle). */
  rebuildServer(ctx: RequestContext, uuid: string, spec: RebuildSpec): Promise<ServerRecord> {
    return this.lifecycle.rebuildServer(ctx, uuid, spec);
  }

  /** Shelves (ServerLifecycle). */
  shelveServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.shelveServer(ctx, uuid);
  }

  /** Offloads a shelved server (ServerLifecycle). */
  shelveOffloadServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.shelveOffloadServer(ctx, uuid);
  }

  /** Unshelves (ServerLifecycle). */
  unshelveServer(ctx: RequestContext, uuid: string, spec: UnshelveSpec): Promise<void> {
    return this.lifecycle.unshelveServer(ctx, uuid, spec);
  }

  /** Rescues (ServerLifecycle). */
  rescueServer(
    ctx: RequestContext,
    uuid: string,
    rescue: { adminPass: string; rescueImageRef: string | null },
  ): Promise<void> {
    return this.lifecycle.rescueServer(ctx, uuid, rescue);
  }

  /** Ends a rescue (ServerLifecycle). */
  unrescueServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.unrescueServer(ctx, uuid);
  }

  /** Snapshots into a new image (ServerLifecycle). */
  createServerImage(ctx: RequestContext, uuid: string, spec: SnapshotSpec): Promise<string> {
    return this.lifecycle.createServerImage(ctx, uuid, spec);
  }

  /** Snapshots as a rotated backup (ServerLifecycle). */
  createServerBackup(
    ctx: RequestContext,
    uuid: string,
    spec: SnapshotSpec & { backupType: string; rotation: number },
  ): Promise<string> {
    return this.lifecycle.createServerBackup(ctx, uuid, spec);
  }

  /** Soft-deletes (ServerLifecycle). */
  softDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.softDeleteServer(ctx, uuid);
  }

  /** Restores a soft-deleted server (ServerLifecycle). */
  restoreServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.restoreServer(ctx, uuid);
  }

  /** Deletes now, whatever the state (ServerLifecycle). */
  forceDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    return this.lifecycle.forceDeleteServer(ctx, uuid);
  }

  // ---- delete and actions -----------------------------------------------------------------------

  /** Deletes a build request, or the instance through its compute host (locally when the host is down). */
  async deleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    const { apiDb } = this.deps;
    const found = await this.locate(uuid);
    if (found.kind === "build") {
      checkServerAction(serverRecord(found.instance), { type: "delete" }, { isAdmin: ctx.isAdmin });
      // Not yet picked up by a conductor: deleting the build request is the whole delete. If the conductor
      // got it first, the instance is now in a cell: delete it there.
      if (await apiDb.buildRequests.delete(uuid)) {
        await apiDb.requestSpecs.delete(uuid).catch(() => undefined);
        await apiDb.mappings.queueInstanceForDelete(uuid).catch(() => undefined);
        await this.serverGroups.removeInstance(uuid);
        return;
      }
      return this.deleteServer(ctx, uuid);
    }
    const { db } = found;
    let { instance } = found;
    checkServerAction(serverRecord(instance), { type: "delete" }, { isAdmin: ctx.isAdmin });
    if (instance.task_state === "deleting") return;
    const compute = instance.host
      ? await db.services.getByComputeHost(instance.host).catch(() => undefined)
      : undefined;
    if (!instance.host || !compute || !(await this.up(compute))) {
      // Nowhere to send it (never placed, or its host is down): delete here, as Nova's local delete.
      await this.localDelete(db, instance);
      await apiDb.mappings.queueInstanceForDelete(uuid).catch(() => undefined);
      await this.serverGroups.removeInstance(uuid);
      return;
    }
    const host = instance.host;
    if (instance.vm_state === "resized") {
      await this.migrations.confirmBeforeDelete(ctx, db, instance);
      instance = await db.instances.get(uuid);
    }
    const deleting = await db.instances
      .update(uuid, { task_state: "deleting" }, { expectedTaskState: instance.task_state ?? null })
      .catch((err: unknown) => {
        if (isUnexpectedState(err))
          throw new InstanceInvalidStateError(uuid, "task_state", "deleting", "delete");
        throw err;
      });
    await apiDb.mappings.queueInstanceForDelete(uuid).catch(() => undefined);
    // The compute records its events under this request's `delete` action, as Nova's API creates it first.
    await db.actions
      .start({
        instance_uuid: uuid,
        action: "delete",
        request_id: ctx.requestId,
        user_id: ctx.userId,
        project_id: ctx.projectId,
      })
      .catch(() => undefined);
    await (await found.compute())
      .terminateInstance(this.novaContext(ctx), host, deleting)
      .catch(async (err: unknown) => {
        await db.instances.update(uuid, { task_state: instance.task_state ?? null }).catch(() => undefined);
        throw new BackendUnavailableError(undefined, { cause: err });
      });
    // Out of its server group once the delete is on its way (a refused cast keeps the server a member).
    await this.serverGroups.removeInstance(uuid);
  }

  private async localDelete(db: CellDatabase, instance: InstanceRecord): Promise<void> {
    await db.instances.destroy(instance.uuid, {}, { terminate: true }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    if (instance.host && instance.node) {
      const node = await db.computeNodes
        .getByHostAndNodename(instance.host, instance.node)
        .catch(() => undefined);
      if (node) {
        const held = instanceResources(instance);
        await db.computeNodes
          .release(node.uuid, { vcpus: held.vcpus, memory_mb: held.memory_mb, local_gb: held.disk_gb })
          .catch(() => undefined);
      }
    }
  }

  /** Checks Nova's rules, sets the action's task state conditionally, and casts it to the instance's host. */
  async serverAction(ctx: RequestContext, uuid: string, action: ServerAction): Promise<void> {
    const found = await this.locate(uuid, false, ctx);
    const server = found.kind === "build" ? serverRecord(found.instance) : serverRecord(found.instance);
    checkServerAction(server, action, { isAdmin: ctx.isAdmin });
    if (found.kind === "build" || !found.instance.host) {
      throw new InstanceInvalidStateError(uuid, "vm_state", server.vmState, action.type);
    }
    const rule = SERVER_ACTION_STATES[serverActionName(action)];
    const { db, instance } = found;
    const updated = await db.instances
      .update(uuid, { task_state: rule.task }, { expectedTaskState: rule.taskStates ?? undefined })
      .catch((err: unknown) => {
        if (isUnexpectedState(err)) {
          throw new InstanceInvalidStateError(uuid, "task_state", instance.task_state ?? null, action.type);
        }
        throw err;
      });
    const nctx = this.novaContext(ctx);
    await db.actions
      .start({
        instance_uuid: uuid,
        action: rule.action,
        request_id: ctx.requestId,
        user_id: ctx.userId,
        project_id: ctx.projectId,
      })
      .catch(() => undefined);
    const host = instance.host!;
    const compute = await found.compute();
    const send = () => {
      switch (action.type) {
        case "reboot":
          return compute.rebootInstance(nctx, host, updated, action.rebootType);
        case "stop":
          return compute.stopInstance(nctx, host, updated, true);
        case "start":
          return compute.startInstance(nctx, host, updated);
        case "pause":
          return compute.pauseInstance(nctx, host, updated);
        case "unpause":
          return compute.unpauseInstance(nctx, host, updated);
        case "suspend":
          return compute.suspendInstance(nctx, host, updated);
        case "resume":
          return compute.resumeInstance(nctx, host, updated);
      }
    };
    await send().catch(async (err: unknown) => {
      // The request never left: put the task back so the server is not stuck in it.
      await db.instances.update(uuid, { task_state: instance.task_state ?? null }).catch(() => undefined);
      throw new BackendUnavailableError(undefined, { cause: err });
    });
  }

  /** Asks the instance's compute host for its console log (a call). */
  async getConsoleOutput(ctx: RequestContext, uuid: string, tailLength: number | null): Promise<string> {
    const found = await this.locate(uuid);
    // Nova's check_instance_host: nothing to ask before the instance has a host.
    if (found.kind === "build" || !found.instance.host) throw new InstanceNotReadyError(uuid);
    const { instance } = found;
    try {
      return await (await found.compute()).getConsoleOutput(
        this.novaContext(ctx),
        instance.host!,
        instance,
        tailLength ?? undefined,
      );
    } catch (err) {
      // The compute's NotFound answers (rebuilt from nova.exception by the RPC client); a call that got no
      // answer at all (timeout, lost connection) is the control plane being unavailable; any other remote
      // failure stays an error (500), as in Nova.
      if (InstanceNotFound.isInstance(err)) throw new InstanceNotFoundError(uuid);
      if (ConsoleNotAvailable.isInstance(err)) throw new ConsoleNotAvailableError(uuid, { cause: err });
      if (MessagingError.isInstance(err) && !RemoteError.isInstance(err)) {
        throw new BackendUnavailableError(undefined, { cause: err });
      }
      throw err;
    }
  }

  // ---- flavors, images, services ----------------------------------------------------------------

  /** Flavors of the API database, filtered, sorted and paged. */
  async listFlavors(ctx: RequestContext, query: FlavorQuery): Promise<FlavorRecord[]> {
    // Nova: the public list adds the private flavors shared with the caller's project, and a non-admin
    // never sees other private flavors whatever the filter.
    const filters: Record<string, unknown> = { project_id: ctx.projectId, visible_to_project: !ctx.isAdmin };
    if (query.isPublic !== null) filters.is_public = query.isPublic;
    if (query.disabled !== undefined) filters.disabled = query.disabled;
    if (query.minMemoryMb !== undefined) filters.min_memory_mb = query.minMemoryMb;
    if (query.minRootGb !== undefined) filters.min_root_gb = query.minRootGb;
    const page = {
      sortKeys: [query.sortKey as never],
      sortDirs: [query.sortDir],
      limit: query.limit,
      ...(query.marker !== undefined ? { marker: query.marker } : {}),
    };
    // Identical lists asked together (every dashboard and client lists flavors) share one read.
    const rows = await this.reads
      .read(`flavors:${JSON.stringify([filters, page])}`, () => this.deps.apiDb.flavors.list(filters, page))
      .catch((err: unknown) => {
        if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(query.marker ?? "");
        throw err;
      });
    return rows.map(flavorRecord);
  }

  /** One flavor by flavor id, if the caller may see it (private flavors: admins and projects with access). */
  async getFlavor(ctx: RequestContext, flavorId: string): Promise<FlavorRecord> {
    return flavorRecord(await this.flavorManagement.visibleFlavor(ctx, flavorId));
  }

  // ---- flavor management: delegated to DbFlavorManagement (flavor-management.ts) -----------------

  /** See FlavorManagementBackend.createFlavor. */
  createFlavor(ctx: RequestContext, spec: FlavorCreateSpec): Promise<FlavorRecord> {
    return this.flavorManagement.createFlavor(ctx, spec);
  }

  /** See FlavorManagementBackend.deleteFlavor. */
  deleteFlavor(ctx: RequestContext, flavorId: string): Promise<void> {
    return this.flavorManagement.deleteFlavor(ctx, flavorId);
  }

  /** See FlavorManagementBackend.updateFlavorDescription. */
  updateFlavorDescription(
    ctx: RequestContext,
    flavorId: string,
    description: string | null,
  ): Promise<FlavorRecord> {
    return this.flavorManagement.updateFlavorDescription(ctx, flavorId, description);
  }

  /** See FlavorManagementBackend.setFlavorExtraSpecs. */
  setFlavorExtraSpecs(
    ctx: RequestContext,
    flavorId: string,
    specs: Record<string, string>,
  ): Promise<FlavorRecord> {
    return this.flavorManagement.setFlavorExtraSpecs(ctx, flavorId, specs);
  }

  /** See FlavorManagementBackend.deleteFlavorExtraSpec. */
  deleteFlavorExtraSpec(ctx: RequestContext, flavorId: string, key: string): Promise<void> {
    return this.flavorManagement.deleteFlavorExtraSpec(ctx, flavorId, key);
  }

  /** See FlavorManagementBackend.listFlavorAccess. */
  listFlavorAccess(ctx: RequestContext, flavorId: string): Promise<string[]> {
    return this.flavorManagement.listFlavorAccess(ctx, flavorId);
  }

  /** See FlavorManagementBackend.addFlavorAccess. */
  addFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    return this.flavorManagement.addFlavorAccess(ctx, flavorId, projectId);
  }

  /** See FlavorManagementBackend.removeFlavorAccess. */
  removeFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    return this.flavorManagement.removeFlavorAccess(ctx, flavorId, projectId);
  }

  /** Images of the catalogue. */
  listImages(_ctx: RequestContext, query: ImageQuery): Promise<ImageRecord[]> {
    return this.deps.images.list(query).catch(asApiImageError);
  }

  /** One image by id. */
  getImage(_ctx: RequestContext, imageId: string): Promise<ImageRecord> {
    return this.deps.images.get(imageId).catch(asApiImageError);
  }

  /** Every answering cell's services with their liveness by `service_down_time`. */
  async listServices(
    _ctx: RequestContext,
    filter: { host?: string; binary?: string; cellDownSupport?: boolean },
  ): Promise<ServiceRecord[]> {
    const answers = await this.eachCell((db) =>
      db.services.list({
        ...(filter.host !== undefined ? { host: filter.host } : {}),
        ...(filter.binary !== undefined ? { binary: filter.binary } : {}),
      }),
    );
    const rows = this.answered(answers).flatMap((a) => a.value);
    const unknown: ServiceRecord[] = [];
    if (filter.cellDownSupport) {
      // Nova from 2.69: a silent cell's computes as its host mappings know them.
      for (const a of answers.filter((x) => !x.ok)) {
        for (const m of await this.deps.apiDb.mappings.listHostMappings(a.cell.uuid)) {
          unknown.push({
            id: 0,
            uuid: "",
            binary: "nova-compute",
            host: m.host,
            zone: "",
            disabled: false,
            disabledReason: null,
            forcedDown: false,
            updatedAt: null,
            isUp: false,
            cellDown: true,
          });
        }
      }
    }
    const zoned = await this.zoneAggregates(rows);
    return [...(await Promise.all(rows.map((s) => this.serviceRecord(s, zoned)))), ...unknown];
  }

  // The aggregates that zone compute services, read only when a compute is among the rows.
  private async zoneAggregates(rows: readonly ServiceRow[]): Promise<ZonedAggregate[]> {
    if (!rows.some((s) => s.binary === "nova-compute")) return [];
    return this.reads.read("aggregates", () => this.deps.apiDb.aggregates.list());
  }

  // ---- hypervisors and service changes (os-hypervisors, os-services PUT/DELETE) -----------------

  private async serviceRecord(
    s: ServiceRow,
    aggregates: readonly ZonedAggregate[] = [],
  ): Promise<ServiceRecord> {
    return {
      id: s.id,
      uuid: s.uuid,
      binary: s.binary ?? "",
      host: s.host ?? "",
      zone: serviceZone(s.binary ?? "", s.host ?? "", aggregates, this.deps.config.defaultAvailabilityZone),
      disabled: s.disabled,
      disabledReason: s.disabled_reason,
      forcedDown: s.forced_down,
      updatedAt: s.updated_at ?? s.created_at ?? null,
      isUp: await this.up(s),
    };
  }

  /**
   * Every answering cell's compute nodes, paged by id cell after cell, with their hosts' nova-compute
   * services (nodes without one left out).
   */
  async listHypervisors(_ctx: RequestContext, query: HypervisorQuery): Promise<HypervisorRecord[]> {
    if (query.hostnamePattern !== undefined) {
      // Nova's `hypervisor_hostname LIKE '%pattern%'`: case-insensitive as MySQL compares, `_` any one character.
      const like = new RegExp(
        query.hostnamePattern.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&").replaceAll("_", "."),
        "i",
      );
      const answers = await this.eachCell(async (db) =>
        this.withServices(
          db,
          (await db.computeNodes.list()).filter((n) => like.test(n.hypervisor_hostname ?? "")),
        ),
      );
      return this.answered(answers).flatMap((a) => a.value);
    }
    return this.walkCells(query.marker, query.limit, async (db, from) => {
      const marker = from.marker !== undefined ? await this.nodeMarker(db, from.marker) : undefined;
      const nodes = await db.computeNodes
        .list(
          {},
          {
            ...(query.limit !== undefined ? { limit: from.limit } : {}),
            ...(marker !== undefined ? { marker } : {}),
          },
        )
        .catch((err: unknown) => {
          if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(query.marker ?? "");
          throw err;
        });
      return this.withServices(db, nodes);
    });
  }

  private async withServices(db: CellDatabase, nodes: ComputeNodeRecord[]): Promise<HypervisorRecord[]> {
    const services = new Map(
      (await db.services.list({ binary: "nova-compute" })).map((s) => [s.host, s] as const),
    );
    const out: HypervisorRecord[] = [];
    for (const node of nodes) {
      const service = node.host !== null ? services.get(node.host) : undefined;
      if (service) out.push(hypervisorRecord(node, await this.serviceRecord(service)));
    }
    return out;
  }

  /** Nova takes a node's uuid or its database id as the marker; the repository pages by uuid. */
  private async nodeMarker(db: CellDatabase, marker: string): Promise<string> {
    if (!/^\d+$/.test(marker)) return marker;
    const node = await db.computeNodes.get(Number(marker)).catch((err: unknown) => {
      if (isNotFound(err)) throw new MarkerNotFoundError(marker);
      throw err;
    });
    return node.uuid;
  }

  /** One compute node by id or uuid (looked for in every cell), with its host's nova-compute service. */
  async getHypervisor(_ctx: RequestContext, id: string): Promise<HypervisorRecord> {
    const answers = await this.eachCell(async (db) => {
      const node = await (/^[-+]?\d+$/.test(id)
        ? db.computeNodes.get(Number(id))
        : db.computeNodes.getByUuid(id)
      ).catch(() => undefined);
      if (!node || node.host === null) return undefined;
      const service = await db.services.getByComputeHost(node.host).catch(() => undefined);
      return service ? hypervisorRecord(node, await this.serviceRecord(service)) : undefined;
    });
    const hit = this.answered(answers).find((a) => a.value !== undefined)?.value;
    if (hit) return hit;
    throw this.unlessCellDown(answers, new HypervisorNotFoundError(id));
  }

  /** The live instances on a host (in whichever cell has them), named by `instance_name_template`. */
  async listHostServers(_ctx: RequestContext, host: string): Promise<HostServer[]> {
    const answers = await this.eachCell((db) => db.instances.listByHost(host));
    return this.answered(answers)
      .flatMap((a) => a.value)
      .map((i) => ({ uuid: i.uuid, name: instanceName(this.nameTemplate, i) }));
  }

  /**
   * Not found everywhere that answered: when a cell did not answer, the thing may be there, so the request
   * fails as unavailable naming that cell (Nova names the cell that failed) rather than as not found.
   */
  private unlessCellDown(answers: CellAnswer<unknown>[], notFound: Error): Error {
    const down = answers.find((a) => !a.ok);
    if (!down) return notFound;
    return new BackendUnavailableError(
      `Cell ${down.cell.name ?? down.cell.uuid} is not responding; try again later.`,
      { cause: down.ok ? undefined : down.error },
    );
  }

  /**
   * No compute driver of nova-ts reports its host's uptime over RPC yet: null, which the API answers with
   * Nova's 501, as Nova does for a driver without `get_host_uptime` (its fake driver among them).
   */
  async hypervisorUptime(_ctx: RequestContext, _host: string): Promise<string | null> {
    return null;
  }

  /** Nova's compute_node_statistics: sums over the nodes of enabled nova-compute services. */
  async hypervisorStatistics(_ctx: RequestContext): Promise<HypervisorStatistics> {
    const answers = await this.eachCell((db) => this.cellNodeResources(db));
    return sumHypervisorStatistics(this.answered(answers).flatMap((a) => a.value));
  }

  private async cellNodeResources(cellDb: CellDatabase): Promise<ReturnType<typeof nodeResources>[]> {
    const enabled = await cellDb.services.list({ binary: "nova-compute", disabled: false });
    const hosts = new Set(enabled.map((s) => s.host));
    const ids = new Set(enabled.map((s) => s.id));
    // Nova joins on the host or on service_id, for nodes that predate the host column.
    const nodes = (await cellDb.computeNodes.list()).filter(
      (n) =>
        (n.host !== null && hosts.has(n.host)) ||
        (n.service_id !== null && n.service_id !== undefined && ids.has(n.service_id)),
    );
    return nodes.map(nodeResources);
  }

  /** One live service by database id or uuid. */
  async getService(_ctx: RequestContext, id: string): Promise<ServiceRecord> {
    const { row } = await this.serviceRow(id);
    return await this.serviceRecord(row, await this.zoneAggregates([row]));
  }

  /** A service by id or uuid in whichever cell has it (a uuid is unique; an integer id, the first cell's). */
  private async serviceRow(id: string): Promise<{ db: CellDatabase; row: ServiceRow }> {
    const answers = await this.eachCell(async (db) => {
      const { services } = db;
      const row = await (/^[-+]?\d+$/.test(id) ? services.get(Number(id)) : services.getByUuid(id)).catch(
        (err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        },
      );
      return row ? { db, row } : undefined;
    });
    const hit = this.answered(answers).find((a) => a.value !== undefined)?.value;
    if (hit) return hit;
    throw this.unlessCellDown(answers, new ServiceNotFoundError(id));
  }

  /** Service.save of an operator's change; the scheduler and liveness read the row, so nothing else is told. */
  async updateService(_ctx: RequestContext, id: string, changes: ServiceChanges): Promise<ServiceRecord> {
    const { db, row } = await this.serviceRow(id);
    const updated = await db.services.update(row.id, {
      ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
      ...(changes.disabledReason !== undefined ? { disabled_reason: changes.disabledReason } : {}),
      ...(changes.forcedDown !== undefined ? { forced_down: changes.forcedDown } : {}),
    });
    return await this.serviceRecord(updated, await this.zoneAggregates([updated]));
  }

  // ---- host aggregates (os-aggregates): Nova's AggregateAPI over the API database ----------------

  /** Every aggregate. */
  listAggregates(ctx: RequestContext): Promise<AggregateRecord[]> {
    return this.aggregateOps.listAggregates(ctx);
  }

  /** One aggregate. */
  getAggregate(ctx: RequestContext, id: number): Promise<AggregateRecord> {
    return this.aggregateOps.getAggregate(ctx, id);
  }

  /** Creates an aggregate, in a zone when given. */
  createAggregate(ctx: RequestContext, name: string, zone: string | null): Promise<AggregateRecord> {
    return this.aggregateOps.createAggregate(ctx, name, zone);
  }

  /** Renames and/or re-zones an aggregate. */
  updateAggregate(ctx: RequestContext, id: number, update: AggregateUpdate): Promise<AggregateRecord> {
    return this.aggregateOps.updateAggregate(ctx, id, update);
  }

  /** Sets metadata keys (null deletes). */
  setAggregateMetadata(
    ctx: RequestContext,
    id: number,
    metadata: Record<string, string | null>,
  ): Promise<AggregateRecord> {
    return this.aggregateOps.setAggregateMetadata(ctx, id, metadata);
  }

  /** Deletes an empty aggregate. */
  deleteAggregate(ctx: RequestContext, id: number): Promise<void> {
    return this.aggregateOps.deleteAggregate(ctx, id);
  }

  /** Adds a compute host. */
  addAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    return this.aggregateOps.addAggregateHost(ctx, id, host);
  }

  /** Removes a host. */
  removeAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    return this.aggregateOps.removeAggregateHost(ctx, id, host);
  }

  /**
   * Service.destroy with what Nova's API removes beside a compute service: its host's compute nodes (by
   * service_id, and by host for nodes registered without one) and its host mapping, so the host can be
   * discovered again.
   */
  async deleteService(_ctx: RequestContext, id: string): Promise<void> {
    const { apiDb } = this.deps;
    const { db: cellDb, row } = await this.serviceRow(id);
    await cellDb.services.destroy(row.id).catch((err: unknown) => {
      if (isNotFound(err)) throw new ServiceNotFoundError(id);
      throw err;
    });
    if (row.binary !== "nova-compute" || !row.host) return;
    for (const node of await cellDb.computeNodes.list({ host: row.host })) {
      await cellDb.computeNodes.destroy(node.id).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    await apiDb.mappings.unmapHost(row.host);
  }

  // ---- quotas (thin: the logic is in quotas.ts) ---------------------------------------------------

  /** A project's (or project user's) effective limits. */
  getQuotaLimits(_ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaLimits> {
    return this.quotas.limits(projectId, userId);
  }

  /** Limits with counted usage. */
  getQuotaUsage(_ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaUsageSet> {
    return this.quotas.usage(projectId, userId);
  }

  /** `[quota]` overridden by the `default` class. */
  getDefaultQuotas(_ctx: RequestContext): Promise<QuotaLimits> {
    return this.deps.apiDb.quotas.getDefaults();
  }

  /** Sets limits after Nova's settable-range checks (unless forced). */
  updateQuotas(
    _ctx: RequestContext,
    projectId: string,
    userId: string | null,
    limits: QuotaRows,
    force: boolean,
  ): Promise<QuotaLimits> {
    return this.quotas.update(projectId, userId, limits, force);
  }

  /** Removes a project's (or a project user's) limits. */
  deleteQuotas(_ctx: RequestContext, projectId: string, userId: string | null): Promise<void> {
    return this.quotas.delete(projectId, userId);
  }

  /** A quota class's limits. */
  getQuotaClass(_ctx: RequestContext, className: string): Promise<QuotaLimits> {
    return this.deps.apiDb.quotas.getClassLimits(className);
  }

  /** Sets a quota class's limits. */
  updateQuotaClass(_ctx: RequestContext, className: string, limits: QuotaRows): Promise<QuotaLimits> {
    return this.quotas.updateClass(className, limits);
  }

  /** The metadata items quota of the caller's project and user. */
  checkMetadataQuota(ctx: RequestContext, itemCount: number): Promise<void> {
    return this.quotas.checkMetadataItems(ctx.projectId, ctx.userId, itemCount);
  }

  /**
   * Servers active in a usage window (deleted ones included), cell after cell as Nova's simple-tenant-usage
   * walks them: the marker's cell first continues after it, later cells from their start, until `limit`.
   */
  async listUsageServers(_ctx: RequestContext, query: UsageQuery): Promise<UsageServer[]> {
    return this.walkCells(query.marker, query.limit, (db, page) =>
      this.quotas.usageServers({ ...query, ...page }, db),
    );
  }

  // ---- key pairs (Nova's KeypairAPI) ------------------------------------------------------------

  /**
   * Nova's `KeypairAPI.import_key_pair` / `create_key_pair`: the user's `key_pairs` quota, then the key
   * (checked or generated), then the row; the quota is checked again once the row exists (Nova's
   * `recheck_quota`), so racing creates cannot both pass it.
   */
  async createKeyPair(ctx: RequestContext, spec: KeyPairCreateSpec): Promise<CreatedKeyPair> {
    const { apiDb } = this.deps;
    await this.checkKeyPairQuota(ctx, spec.userId, 1);
    const generated = spec.publicKey === null ? await generateKeyPair(spec.type, spec.userId) : null;
    const publicKey = generated?.publicKey ?? spec.publicKey!;
    const fingerprint = generated?.fingerprint ?? keyPairFingerprint(publicKey, spec.type);
    const row = await apiDb.keyPairs
      .create({ user_id: spec.userId, name: spec.name, type: spec.type, public_key: publicKey, fingerprint })
      .catch((err: unknown) => {
        if (hasErrorCode(err, "DB_DUPLICATE")) throw new KeyPairExistsError(spec.name);
        throw err;
      });
    try {
      await this.checkKeyPairQuota(ctx, spec.userId, 0);
    } catch (err) {
      await apiDb.keyPairs.delete(spec.userId, spec.name).catch(() => undefined);
      throw err;
    }
    return { keyPair: keyPairRecord(row), privateKey: generated?.privateKey ?? null };
  }

  /** A user's key pairs by name, paged. */
  async listKeyPairs(_ctx: RequestContext, userId: string, page: KeyPairPage): Promise<KeyPairRecord[]> {
    const rows = await this.deps.apiDb.keyPairs.list(userId, page).catch((err: unknown) => {
      if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(page.marker ?? "");
      throw err;
    });
    return rows.map(keyPairRecord);
  }

  /** One of a user's key pairs. */
  async getKeyPair(_ctx: RequestContext, userId: string, name: string): Promise<KeyPairRecord> {
    return keyPairRecord(await this.keyPairRow(userId, name));
  }

  /** Deletes one of a user's key pairs (servers booted with it keep their copy, as in Nova). */
  async deleteKeyPair(_ctx: RequestContext, userId: string, name: string): Promise<void> {
    await this.deps.apiDb.keyPairs.delete(userId, name).catch((err: unknown) => {
      if (isNotFound(err)) throw new KeyPairNotFoundError(userId, name);
      throw err;
    });
  }

  private keyPairRow(userId: string, name: string): Promise<KeyPair> {
    return this.deps.apiDb.keyPairs.get(userId, name).catch((err: unknown) => {
      if (isNotFound(err)) throw new KeyPairNotFoundError(userId, name);
      throw err;
    });
  }

  /**
   * Nova's `Quotas.check_deltas(context, {'key_pairs': delta}, user_id)`: the target user's count against
   * the limit of the caller's project and user (a user resource: a per-user limit overrides the project's).
   */
  private async checkKeyPairQuota(ctx: RequestContext, userId: string, delta: number): Promise<void> {
    const [limits, used] = await Promise.all([
      this.deps.apiDb.quotas.getLimits(ctx.projectId, ctx.userId),
      this.deps.apiDb.keyPairs.count(userId),
    ]);
    if (limits.key_pairs >= 0 && used + delta > limits.key_pairs) {
      throw new QuotaExceededError("Quota exceeded, too many key pairs.");
    }
  }
  // ---- server groups (server-groups.ts) ---------------------------------------------------------

  /** Creates a server group after the project's `server_groups` quota. */
  createServerGroup(ctx: RequestContext, spec: ServerGroupCreateSpec): Promise<ServerGroupRecord> {
    return this.serverGroups.create(ctx, spec);
  }

  /** Server groups by id, offset paged. */
  listServerGroups(_ctx: RequestContext, query: ServerGroupQuery): Promise<ServerGroupRecord[]> {
    return this.serverGroups.list(query);
  }

  /** One server group. */
  getServerGroup(_ctx: RequestContext, uuid: string): Promise<ServerGroupRecord> {
    return this.serverGroups.get(uuid);
  }

  /** Deletes a server group. */
  deleteServerGroup(_ctx: RequestContext, uuid: string): Promise<void> {
    return this.serverGroups.delete(uuid);
  }
}

/** A compute node row as the API's HypervisorRecord. */
function hypervisorRecord(n: ComputeNodeRecord, service: ServiceRecord): HypervisorRecord {
  return {
    id: n.id,
    uuid: n.uuid,
    hypervisorHostname: n.hypervisor_hostname,
    host: n.host ?? "",
    hypervisorType: n.hypervisor_type,
    hypervisorVersion: n.hypervisor_version,
    hostIp: n.host_ip ?? null,
    cpuInfo: n.cpu_info ?? "",
    ...nodeResources(n),
    service,
  };
}

/** A compute node row's capacity and usage. */
function nodeResources(n: ComputeNodeRecord): HypervisorResources & { diskAvailableLeast: number | null } {
  return {
    vcpus: n.vcpus,
    memoryMb: n.memory_mb,
    localGb: n.local_gb,
    vcpusUsed: n.vcpus_used,
    memoryMbUsed: n.memory_mb_used,
    localGbUsed: n.local_gb_used,
    freeRamMb: n.free_ram_mb ?? n.memory_mb - n.memory_mb_used,
    freeDiskGb: n.free_disk_gb ?? n.local_gb - n.local_gb_used,
    currentWorkload: n.current_workload ?? 0,
    runningVms: n.running_vms ?? 0,
    diskAvailableLeast: n.disk_available_least ?? null,
  };
}

/** A stored key pair as the API shows it. */
function keyPairRecord(k: KeyPair): KeyPairRecord {
  return {
    id: k.id,
    name: k.name,
    userId: k.user_id ?? "",
    type: k.type,
    publicKey: k.public_key ?? "",
    fingerprint: k.fingerprint ?? "",
    createdAt: k.created_at ?? new Date(0),
    updatedAt: k.updated_at ?? null,
  };
}

/** The `group` scheduler hint (a string, or the first of a list), or null. */
function groupHint(hints: Record<string, unknown>): string | null {
  const g = Array.isArray(hints.group) ? hints.group[0] : hints.group;
  return typeof g === "string" && g !== "" ? g : null;
}

function isNotFound(err: unknown): boolean {
  return hasErrorCode(err, "DB_NOT_FOUND");
}

function isUnexpectedState(err: unknown): boolean {
  return hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE") || hasErrorCode(err, "DB_UNEXPECTED_VM_STATE");
}

/**
 * The 2.74 `host` / `hypervisor_hostname` request as Nova's compute API builds it: a Destination object
 * whose host is set only when asked and whose node is always set (null when not asked).
 */
function requestedDestination(spec: CreateServerSpec): NovaObjectPrimitive | null {
  if (!spec.requestedHost && !spec.requestedNode) return null;
  const data: Record<string, unknown> = { node: spec.requestedNode };
  if (spec.requestedHost) data.host = spec.requestedHost;
  return {
    "nova_object.name": "Destination",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.4",
    "nova_object.data": data,
    "nova_object.changes": Object.keys(data).sort(),
  };
}

/** Nova's hostname sanitising: lower case, letters, digits and dashes, at most 63 characters. */
function sanitizeHostname(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 63);
  return h || "server";
}

/** Scheduler hints as RequestSpec keeps them: every value a list of strings. */
function stringListHints(hints: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(hints)) out[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  return out;
}

/** The ImageMeta primitive a RequestSpec carries (the scheduler's image filters read its properties). */
function imageMeta(image: ImageRecord): NovaObjectPrimitive {
  return {
    "nova_object.name": "ImageMeta",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.8",
    "nova_object.data": {
      id: image.id,
      name: image.name,
      status: image.status,
      min_ram: image.minRam,
      min_disk: image.minDisk,
      size: image.size,
      properties: {
        "nova_object.name": "ImageMetaProps",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.31",
        "nova_object.data": { ...image.properties },
      },
    },
  };
}

/** A server of a list with the instance columns it sorts by. */
interface Listed {
  columns: Record<string, unknown>;
  server: ServerRecord;
}

/**
 * Merges lists each already in order into one, at most `limit` long; only heads are compared, so each list's
 * own order (a cell's SQL collation) is kept, and ties go to the earlier list.
 */
function mergeSorted<T>(lists: readonly T[][], cmp: (a: T, b: T) => number, limit: number): T[] {
  const at = lists.map(() => 0);
  const out: T[] = [];
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const head = lists[i]![at[i]!];
      if (head === undefined) continue;
      if (best < 0 || cmp(head, lists[best]![at[best]!]!) < 0) best = i;
    }
    if (best < 0) break;
    out.push(lists[best]![at[best]!++]!);
  }
  return out;
}

/** A name filter on build requests, evaluated as the database evaluates it: linear time, Python syntax. */
function regexMatcher(pattern: string): (value: string) => boolean {
  try {
    return safeRegexMatcher(pattern);
  } catch (error) {
    throw asInvalidFilter(error);
  }
}

/** A regex filter Python refuses, or that the database cannot run safely: the request's fault (400). */
function asInvalidFilter(error: unknown): unknown {
  if (hasErrorCode(error, "INVALID_REGEX") || hasErrorCode(error, "DB_UNSUPPORTED_REGEX")) {
    return new InvalidRequestError((error as Error).message);
  }
  return error;
}

/**
 * The whole order of a list, as Nova's process_sort_params makes it: the requested keys (unknown ones
 * dropped), then created_at and id in the first key's direction, then uuid (unique across cells).
 */
function listSort(requested: { key: string; dir: "asc" | "desc" }[]): { key: string; dir: "asc" | "desc" }[] {
  const sort = requested.filter((s) => (INSTANCE_SORT_KEYS as readonly string[]).includes(s.key));
  const dir = requested[0]?.dir ?? "desc";
  for (const key of ["created_at", "id", "uuid"])
    if (!sort.some((s) => s.key === key)) sort.push({ key, dir });
  return sort;
}

// Datetimes sort as stored (whole seconds), so a build request's exact time sorts as its row will.
function sortValue(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" ? v : String(v);
}

/** The query's column regex filters on columns the cell can filter (others are not instance columns). */
function columnRegex(q: ServerQuery): Partial<Record<InstanceRegexColumn, string>> {
  return Object.fromEntries(
    Object.entries(q.columnRegex ?? {}).filter(([c]) =>
      (INSTANCE_REGEX_COLUMNS as readonly string[]).includes(c),
    ),
  );
}

function matchesQuery(s: ServerRecord, q: ServerQuery): boolean {
  if (q.uuid !== undefined && s.uuid !== q.uuid) return false;
  if (q.vmState !== undefined && s.vmState !== q.vmState) return false;
  if (q.taskState !== undefined && s.taskState !== q.taskState) return false;
  if (q.userId !== undefined && s.userId !== q.userId) return false;
  if (q.taskStates && !q.taskStates.includes(s.taskState)) return false;
  if (q.flavorId !== undefined && s.flavor.flavorId !== q.flavorId) return false;
  if (q.imageRef !== undefined && s.imageRef !== q.imageRef) return false;
  if (q.reservationId !== undefined && s.reservationId !== q.reservationId) return false;
  if (q.host !== undefined) return false;
  if (q.locked !== undefined && s.locked !== q.locked) return false;
  if (q.changesSince && (s.updatedAt ?? s.createdAt) < q.changesSince) return false;
  if (q.changesBefore && (s.updatedAt ?? s.createdAt) > q.changesBefore) return false;
  return matchesTagFilters(s.tags, q);
}

/** Orders instance columns as the database does (NULL first ascending) for the given total sort. */
function comparator(
  sort: { key: string; dir: "asc" | "desc" }[],
): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  return (a, b) => {
    for (const { key, dir } of sort) {
      const x = sortValue(a[key]);
      const y = sortValue(b[key]);
      const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      if (c !== 0) return dir === "asc" ? c : -c;
    }
    return 0;
  };
}

/** An object list primitive with no items (a boot from image has no block device mappings to send). */
function emptyList(name: string, version: string): NovaObjectPrimitive {
  return {
    "nova_object.name": name,
    "nova_object.namespace": "nova",
    "nova_object.version": version,
    "nova_object.data": { objects: [] },
  };
}

// Every write settled before the first failure is thrown: the undo must not race a write still in flight.
async function allSettledOrThrow(writes: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}
