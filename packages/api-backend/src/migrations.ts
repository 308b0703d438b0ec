import {
  BackendUnavailableError,
  type EvacuateSpec,
  InstanceInvalidStateError,
  InstanceIsLockedError,
  InstanceNotReadyError,
  InvalidRequestError,
  type LiveMigrateSpec,
  MarkerNotFoundError,
  MigrationNotFoundError,
  type MigrationQuery,
  type MigrationRecord,
  type RequestContext,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase, MigrationRecord as DbMigration, InstanceRecord } from "@nova/db";
import {
  type Flavor,
  MOVE_ACTION_STATES,
  type MoveActionName,
  type NovaObjectPrimitive,
  type RequestSpec,
} from "@nova/objects";
import type { ComputeLiveMigrationAPI, ComputeResizeAPI, ComputeTaskAPI, NovaContext } from "@nova/rpcapi";

/** What DbMigrations works with (the backend's databases and RPC clients). */
export interface DbMigrationsDeps {
  /** The API database: flavors and request specs. */
  apiDb: ApiDatabase;
  /** The cell databases os-migrations reads (each once). */
  cells: () => Promise<CellDatabase[]>;
  /**
   * Finds a server's cell row and the resize client over its cell's broker (InstanceNotFoundError when there
   * is none; a build is refused).
   */
  locate: (
    uuid: string,
    /** The request whose checked server (findServer) may be taken instead of reading it again. */
    ctx?: RequestContext,
  ) => Promise<{
    db: CellDatabase;
    instance: InstanceRecord;
    resize: () => Promise<ComputeResizeAPI | undefined>;
    live: () => Promise<ComputeLiveMigrationAPI | undefined>;
  } | null>;
  /** The conductor's compute_task client (migrate_server). */
  computeTask: ComputeTaskAPI;
  /** The request's context as RPC carries it. */
  novaContext: (ctx: RequestContext) => NovaContext;
  /** `[DEFAULT] allow_resize_to_same_host`. */
  allowResizeToSameHost: boolean;
  /** Whether a compute service is up (servicegroup's rule at the backend's clock). */
  isUp: (service: Awaited<ReturnType<CellDatabase["services"]["getByComputeHost"]>>) => Promise<boolean>;
}

/**
 * nova-api's side of resize and cold migration (Nova's compute API resize, confirm_resize, revert_resize):
 * the state checks, the task state saved conditionally, the instance action, then the cast (migrate_server to
 * the conductor, confirm_resize to the source, revert_resize to the destination); and os-migrations reads.
 */
export class DbMigrations {
  /** The operations over `deps`. */
  constructor(private readonly deps: DbMigrationsDeps) {}

  /** Starts a resize to the flavor with id `flavorId`. */
  async resizeServer(ctx: RequestContext, uuid: string, flavorId: string): Promise<void> {
    const { db, instance } = await this.checked(ctx, uuid, "resize");
    let flavor: Flavor;
    try {
      flavor = await this.deps.apiDb.flavors.getByFlavorId(flavorId);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND"))
        throw new InvalidRequestError("Unable to locate requested flavor.");
      throw err;
    }
    if (flavor.disabled && !ctx.isAdmin) throw new InvalidRequestError("Unable to locate requested flavor.");
    if (flavor.id === instance.flavor?.id) {
      throw new InvalidRequestError("When resizing, instances must change flavor!");
    }
    await this.startMove(ctx, db, instance, flavor, "resize", null);
  }

  /** Starts a cold migration (to `host` when given: it must be a known compute). */
  async migrateServer(ctx: RequestContext, uuid: string, host: string | null): Promise<void> {
    const { db, instance } = await this.checked(ctx, uuid, "migrate");
    if (host !== null) {
      try {
        await db.services.getByComputeHost(host);
      } catch (err) {
        if (hasErrorCode(err, "DB_NOT_FOUND"))
          throw new InvalidRequestError(`Compute host ${host} could not be found.`);
        throw err;
      }
    }
    if (!instance.flavor) throw new InvalidRequestError("The server carries no flavor");
    await this.startMove(ctx, db, instance, instance.flavor as Flavor, "migrate", host);
  }

  /** Confirms the finished resize: the migration `confirming`, confirm_resize cast to its source. */
  async confirmResize(ctx: RequestContext, uuid: string): Promise<void> {
    const { db, instance, resize } = await this.checked(ctx, uuid, "confirmResize");
    const api = await this.rpcClient(resize);
    const migration = await this.finishedMigration(db, uuid);
    const confirming = await this.moveMigration(db, migration, "confirming");
    await this.recordAction(db, ctx, uuid, "confirmResize");
    await this.send(() => api.confirmResize(this.deps.novaContext(ctx), instance, confirming));
  }

  /**
   * Nova's _confirm_resize_on_deleting: a server deleted while its resize waits for confirmation has the resize
   * confirmed first, and waited for, so the source drops its copy (its `_resize` leftovers, its claim) before
   * the delete reaches the destination. Nothing happens for a server that is not `resized`.
   */
  async confirmBeforeDelete(ctx: RequestContext, db: CellDatabase, instance: InstanceRecord): Promise<void> {
    if (instance.vm_state !== "resized") return;
    const found = await this.deps.locate(instance.uuid);
    if (!found) return;
    const moves = await db.migrations.listInProgressByInstance(instance.uuid, ["resize", "migration"]);
    const finished = moves.filter((m) => m.status === "finished").pop();
    // Already confirming or reverting: the compute that has it finishes it, and the delete goes on.
    if (!finished) return;
    const api = await this.rpcClient(found.resize);
    const confirming = await this.moveMigration(db, finished, "confirming");
    await this.recordAction(db, ctx, instance.uuid, "confirmResize");
    await this.send(() =>
      api.confirmResize(this.deps.novaContext(ctx), instance, confirming, { wait: true }),
    );
  }

  /** Reverts the finished resize: task resize_reverting, the migration `reverting`, revert_resize to the destination. */
  async revertResize(ctx: RequestContext, uuid: string): Promise<void> {
    const { db, instance, resize } = await this.checked(ctx, uuid, "revertResize");
    const api = await this.rpcClient(resize);
    const migration = await this.finishedMigration(db, uuid);
    const reverting = await this.setTask(db, instance, "revertResize");
    const moving = await this.moveMigration(db, migration, "reverting");
    await this.recordAction(db, ctx, uuid, "revertResize");
    let spec: Partial<RequestSpec> | null = null;
    try {
      spec = await this.deps.apiDb.requestSpecs.getByInstanceUuid(uuid);
    } catch {
      spec = null;
    }
    await this.send(() => api.revertResize(this.deps.novaContext(ctx), reverting, moving, spec));
  }

  /**
   * Starts a live migration (Nova's compute API live_migrate): the host, when named, must be a compute; the
   * task `migrating`, the `live-migration` action, then live_migrate_instance cast to the conductor. A named
   * host is a requested destination the scheduler checks (Nova's 2.68 behaviour), forced or not.
   */
  async liveMigrateServer(ctx: RequestContext, uuid: string, spec: LiveMigrateSpec): Promise<void> {
    const { db, instance } = await this.checked(ctx, uuid, "migrateLive");
    await this.requireComputeHost(db, spec.host, "could not be found.");
    const moveSpec = await this.moveSpec(uuid, instance.host ?? "", spec.host);
    const updated = await this.setTask(db, instance, "migrateLive");
    await this.recordAction(db, ctx, uuid, MOVE_ACTION_STATES.migrateLive.action);
    await this.send(
      () =>
        this.deps.computeTask.liveMigrateInstance(this.deps.novaContext(ctx), {
          instance: updated,
          host: null,
          block_migration: spec.blockMigration,
          disk_over_commit: spec.diskOverCommit,
          request_spec: moveSpec,
        }),
      async () => {
        await db.instances.update(uuid, { task_state: null }).catch(() => undefined);
      },
    );
  }

  /**
   * Nova's evacuate: the server's compute must be down (or forced down); the named host must be a compute. The
   * task `rebuilding`, the `evacuate` action and an `evacuation` migration (`accepted`), then rebuild_instance
   * (recreate) cast to the conductor, which schedules and claims a destination.
   */
  async evacuateServer(ctx: RequestContext, uuid: string, spec: EvacuateSpec): Promise<void> {
    const { db, instance } = await this.checked(ctx, uuid, "evacuate");
    const source = instance.host ?? "";
    const service = await db.services.getByComputeHost(source).catch(() => null);
    if (service && (await this.deps.isUp(service))) {
      throw new InvalidRequestError(`Compute service of ${source} is still in use.`);
    }
    await this.requireComputeHost(db, spec.host, "not found.");
    const moveSpec = await this.moveSpec(uuid, source, spec.host);
    const updated = await this.setTask(db, instance, "evacuate");
    await this.recordAction(db, ctx, uuid, MOVE_ACTION_STATES.evacuate.action);
    await db.migrations.create({
      instance_uuid: uuid,
      status: "accepted",
      migration_type: "evacuation",
      source_compute: source,
      source_node: instance.node ?? null,
      dest_compute: spec.host,
      old_instance_type_id: instance.flavor?.id ?? null,
      new_instance_type_id: instance.flavor?.id ?? null,
      user_id: ctx.userId,
      project_id: ctx.projectId,
    });
    await this.send(
      () =>
        this.deps.computeTask.rebuildInstance(this.deps.novaContext(ctx), {
          instance: updated,
          new_pass: spec.adminPass,
          on_shared_storage: spec.onSharedStorage,
          request_spec: moveSpec,
        }),
      async () => {
        await db.instances.update(uuid, { task_state: null }).catch(() => undefined);
      },
    );
  }

  // A host named for a move must be a compute of the instance's cell (Nova's two actions word it differently).
  private async requireComputeHost(db: CellDatabase, host: string | null, notFound: string): Promise<void> {
    if (host === null) return;
    try {
      await db.services.getByComputeHost(host);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND"))
        throw new InvalidRequestError(`Compute host ${host} ${notFound}`);
      throw err;
    }
  }

  // The boot's request spec for a move off `source`: the scheduler leaves the source out and checks a named host.
  private async moveSpec(uuid: string, source: string, host: string | null): Promise<Partial<RequestSpec>> {
    let requestSpec: Partial<RequestSpec> = {};
    try {
      requestSpec = await this.deps.apiDb.requestSpecs.getByInstanceUuid(uuid);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    }
    return {
      ...requestSpec,
      ignore_hosts: [source],
      force_hosts: null,
      force_nodes: null,
      requested_destination: host ? destination(host) : null,
    };
  }

  /** Nova's live_migrate_force_complete: an ACTIVE server migrating, its migration `running`. */
  async forceCompleteLiveMigration(ctx: RequestContext, uuid: string, migrationId: number): Promise<void> {
    const { db, instance, live } = await this.migrating(ctx, uuid, ["active"], "live_migrate_force_complete");
    const api = await this.rpcClient(live);
    const m = await this.liveMigration(db, uuid, migrationId, ["running"], "force complete");
    await this.recordAction(db, ctx, uuid, "live_migration_force_complete");
    await this.send(() => api.liveMigrationForceComplete(this.deps.novaContext(ctx), instance, m));
  }

  /** Nova's live_migrate_abort: a migrating server, its migration `running` (or, from 2.65, not started yet). */
  async abortLiveMigration(
    ctx: RequestContext,
    uuid: string,
    migrationId: number,
    abortQueued: boolean,
  ): Promise<void> {
    const { db, instance, live } = await this.migrating(ctx, uuid, null, "live_migrate_abort");
    const api = await this.rpcClient(live);
    const allowed = abortQueued ? ["running", "queued", "preparing"] : ["running"];
    const m = await this.liveMigration(db, uuid, migrationId, allowed, "abort live migration");
    await this.recordAction(db, ctx, uuid, "live_migration_cancel");
    await this.send(() => api.liveMigrationAbort(this.deps.novaContext(ctx), instance, m.id));
  }

  /** os-migrations over every cell, newest first. */
  async listMigrations(_ctx: RequestContext, query: MigrationQuery): Promise<MigrationRecord[]> {
    const filters = {
      ...(query.host ? { host: query.host } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.instanceUuid ? { instanceUuid: query.instanceUuid } : {}),
      ...(query.migrationType ? { migrationType: query.migrationType } : {}),
      ...(query.sourceCompute ? { sourceCompute: query.sourceCompute } : {}),
      ...(query.changesSince ? { changesSince: query.changesSince } : {}),
      ...(query.changesBefore ? { changesBefore: query.changesBefore } : {}),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.projectId ? { projectId: query.projectId } : {}),
    };
    const out: DbMigration[] = [];
    let markerSeen = query.marker === undefined;
    for (const cell of await this.deps.cells()) {
      try {
        out.push(
          ...(await cell.migrations.list(filters, {
            ...(query.limit !== undefined ? { limit: query.limit } : {}),
            ...(query.marker !== undefined ? { marker: query.marker } : {}),
          })),
        );
        markerSeen = true;
      } catch (err) {
        if (!hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw err;
      }
    }
    if (!markerSeen) throw new MarkerNotFoundError(query.marker ?? "");
    out.sort((a, b) => (b.created_at?.getTime() ?? 0) - (a.created_at?.getTime() ?? 0) || b.id - a.id);
    return query.limit !== undefined ? out.slice(0, query.limit) : out;
  }

  /** A server's moves in progress of `migrationType`. */
  async listServerMigrations(
    _ctx: RequestContext,
    uuid: string,
    migrationType: string,
  ): Promise<MigrationRecord[]> {
    const found = await this.deps.locate(uuid);
    if (!found) return [];
    return found.db.migrations.listInProgressByInstance(uuid, [migrationType]);
  }

  // Nova's check_instance_lock / check_instance_state for the action, on the cell's row.
  private async checked(
    ctx: RequestContext,
    uuid: string,
    action: MoveActionName,
  ): Promise<{
    db: CellDatabase;
    instance: InstanceRecord;
    resize: () => Promise<ComputeResizeAPI | undefined>;
  }> {
    const found = await this.deps.locate(uuid, ctx);
    const rule = MOVE_ACTION_STATES[action];
    if (!found?.instance.host) throw new InstanceNotReadyError(uuid);
    const { instance } = found;
    if (instance.locked && !ctx.isAdmin) throw new InstanceIsLockedError(uuid);
    const vm = instance.vm_state ?? null;
    if (vm === null || !rule.vmStates.includes(vm)) {
      throw new InstanceInvalidStateError(uuid, "vm_state", vm, rule.method);
    }
    if (!rule.taskStates.includes(instance.task_state ?? null)) {
      throw new InstanceInvalidStateError(uuid, "task_state", instance.task_state ?? null, rule.method);
    }
    return found;
  }

  private async migrating(
    ctx: RequestContext,
    uuid: string,
    vmStates: readonly string[] | null,
    method: string,
  ): Promise<{
    db: CellDatabase;
    instance: InstanceRecord;
    live: () => Promise<ComputeLiveMigrationAPI | undefined>;
  }> {
    const found = await this.deps.locate(uuid, ctx);
    if (!found?.instance.host) throw new InstanceNotReadyError(uuid);
    const { instance } = found;
    if (instance.locked && !ctx.isAdmin) throw new InstanceIsLockedError(uuid);
    const vm = instance.vm_state ?? null;
    if (vmStates && (vm === null || !vmStates.includes(vm))) {
      throw new InstanceInvalidStateError(uuid, "vm_state", vm, method);
    }
    if (instance.task_state !== "migrating") {
      throw new InstanceInvalidStateError(uuid, "task_state", instance.task_state ?? null, method);
    }
    return found;
  }

  private async liveMigration(
    db: CellDatabase,
    uuid: string,
    migrationId: number,
    allowed: readonly string[],
    method: string,
  ): Promise<DbMigration> {
    let m: DbMigration;
    try {
      m = await db.migrations.get(migrationId);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) throw new MigrationNotFoundError(migrationId, uuid);
      throw err;
    }
    if (m.instance_uuid !== uuid || m.migration_type !== "live-migration") {
      throw new MigrationNotFoundError(migrationId, uuid);
    }
    if (!allowed.includes(m.status ?? "")) {
      throw new InvalidRequestError(
        `Migration ${migrationId} state of instance ${uuid} is ${m.status}. Cannot ${method} while the migration is in this state.`,
      );
    }
    return m;
  }

  private async startMove(
    ctx: RequestContext,
    db: CellDatabase,
    instance: InstanceRecord,
    flavor: Flavor,
    action: "resize" | "migrate",
    host: string | null,
  ): Promise<void> {
    const updated = await this.setTask(db, instance, action);
    await this.recordAction(db, ctx, instance.uuid, MOVE_ACTION_STATES[action].action);
    let spec: Partial<RequestSpec> = {};
    try {
      spec = await this.deps.apiDb.requestSpecs.getByInstanceUuid(instance.uuid);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    }
    // As Nova's resize: the source is ignored unless a resize may stay on its host; a cold migration always
    // leaves it. The spec's one-off fields (forced hosts of the boot) do not apply to the move.
    const sameHostAllowed = action === "resize" && this.deps.allowResizeToSameHost;
    const moveSpec: Partial<RequestSpec> = {
      ...spec,
      ignore_hosts: sameHostAllowed ? [] : [instance.host ?? ""],
      force_hosts: null,
      force_nodes: null,
      requested_destination: host ? destination(host) : null,
    };
    await this.send(
      () =>
        this.deps.computeTask.migrateServer(this.deps.novaContext(ctx), {
          instance: updated,
          flavor,
          request_spec: moveSpec,
        }),
      async () => {
        await db.instances.update(instance.uuid, { task_state: null }).catch(() => undefined);
      },
    );
  }

  private async setTask(
    db: CellDatabase,
    instance: InstanceRecord,
    action: MoveActionName,
  ): Promise<InstanceRecord> {
    const rule = MOVE_ACTION_STATES[action];
    try {
      return await db.instances.update(
        instance.uuid,
        { task_state: rule.task },
        { expectedTaskState: [...rule.taskStates], expectedVmState: [...rule.vmStates] },
      );
    } catch (err) {
      if (hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE") || hasErrorCode(err, "DB_UNEXPECTED_VM_STATE")) {
        throw new InstanceInvalidStateError(
          instance.uuid,
          "task_state",
          instance.task_state ?? null,
          rule.method,
        );
      }
      throw err;
    }
  }

  private async finishedMigration(db: CellDatabase, uuid: string): Promise<DbMigration> {
    const moves = await db.migrations.listInProgressByInstance(uuid, ["resize", "migration"]);
    const finished = moves.filter((m) => m.status === "finished").pop();
    if (!finished)
      throw new InvalidRequestError(`Migration for instance ${uuid} and status finished could not be found.`);
    return finished;
  }

  private async moveMigration(db: CellDatabase, m: DbMigration, status: string): Promise<DbMigration> {
    try {
      return await db.migrations.update(m.id, { status }, ["finished"]);
    } catch (err) {
      if (hasErrorCode(err, "DB_UNEXPECTED_MIGRATION_STATUS")) {
        throw new InvalidRequestError(
          `Migration for instance ${m.instance_uuid} and status finished could not be found.`,
        );
      }
      throw err;
    }
  }

  private async recordAction(
    db: CellDatabase,
    ctx: RequestContext,
    uuid: string,
    action: string,
  ): Promise<void> {
    await db.actions
      .start({
        instance_uuid: uuid,
        action,
        request_id: ctx.requestId,
        user_id: ctx.userId,
        project_id: ctx.projectId,
      })
      .catch(() => undefined);
  }

  // A compute client over the instance's cell's broker; none (or a broker not reachable) answers 503.
  private async rpcClient<T>(client: () => Promise<T | undefined>): Promise<T> {
    const api = await client().catch((err: unknown) => {
      throw new BackendUnavailableError(undefined, { cause: err });
    });
    if (!api) throw new BackendUnavailableError();
    return api;
  }

  // A cast that never left: the caller's undo runs, and the API answers 503 rather than leave the server stuck.
  private async send(cast: () => Promise<void>, undo?: () => Promise<void>): Promise<void> {
    try {
      await cast();
    } catch (err) {
      await undo?.();
      throw new BackendUnavailableError(undefined, { cause: err });
    }
  }
}

// Nova's Destination(host=...) for a 2.56 migrate to a host.
function destination(host: string): NovaObjectPrimitive {
  return {
    "nova_object.name": "Destination",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.4",
    "nova_object.data": { host },
    "nova_object.changes": ["host"],
  };
}
