import { randomUUID } from "node:crypto";
import { MOVE_ACTION_STATES, type MoveActionName } from "@nova/objects";
import type { FlavorRecord, ServerRecord } from "../compute-backend.js";
import { InstanceInvalidStateError } from "../errors/instance-invalid-state.js";
import { InstanceIsLockedError } from "../errors/instance-is-locked.js";
import { InstanceNotReadyError } from "../errors/instance-not-ready.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { MigrationNotFoundError } from "../errors/migration-not-found.js";
import type { EvacuateSpec, LiveMigrateSpec, MigrationQuery, MigrationRecord } from "../migration-backend.js";
import type { RequestContext } from "../request-context.js";

/** What the fake's migrations see of the fake backend. */
export interface FakeMigrationsHost {
  /** A live server (InstanceNotFoundError otherwise). */
  live(uuid: string): ServerRecord;
  /** A flavor by id, if any. */
  flavor(flavorId: string): FlavorRecord | undefined;
  /** Changes a server's fields. */
  update(record: ServerRecord, fields: Partial<ServerRecord>): void;
  /** Records an instance action. */
  recordAction(ctx: RequestContext, uuid: string, action: string): void;
  /** The fake clock's now. */
  now(): Date;
}

/**
 * The in-memory side of MigrationBackend for API tests: the state rules and the records of a move. A started
 * move stays `pre-migrating` (no compute runs); {@link FakeMigrations.finish} makes one VERIFY_RESIZE.
 */
export class FakeMigrations {
  private readonly records: MigrationRecord[] = [];
  private nextId = 1;

  /** Migrations over the fake backend's servers. */
  constructor(private readonly host: FakeMigrationsHost) {}

  /** {@inheritDoc MigrationBackend.resizeServer} */
  async resizeServer(ctx: RequestContext, uuid: string, flavorId: string): Promise<void> {
    const server = this.checked(ctx, uuid, "resize");
    const flavor = this.host.flavor(flavorId);
    if (!flavor) throw new InvalidRequestError("Unable to locate requested flavor.");
    if (flavor.flavorId === server.flavor.flavorId) {
      throw new InvalidRequestError("When resizing, instances must change flavor!");
    }
    this.start(ctx, server, "resize");
  }

  /** {@inheritDoc MigrationBackend.migrateServer} */
  async migrateServer(ctx: RequestContext, uuid: string, host: string | null): Promise<void> {
    const server = this.checked(ctx, uuid, "migrate");
    if (host === server.host) throw new InvalidRequestError(`Compute host ${host} could not be found.`);
    this.start(ctx, server, "migrate");
  }

  /** {@inheritDoc MigrationBackend.confirmResize} */
  async confirmResize(ctx: RequestContext, uuid: string): Promise<void> {
    const server = this.checked(ctx, uuid, "confirmResize");
    this.finished(uuid).status = "confirmed";
    this.host.recordAction(ctx, uuid, "confirmResize");
    this.host.update(server, { vmState: "active" });
  }

  /** {@inheritDoc MigrationBackend.revertResize} */
  async revertResize(ctx: RequestContext, uuid: string): Promise<void> {
    const server = this.checked(ctx, uuid, "revertResize");
    this.finished(uuid).status = "reverting";
    this.host.recordAction(ctx, uuid, "revertResize");
    this.host.update(server, { taskState: "resize_reverting" });
  }

  /** {@inheritDoc MigrationBackend.liveMigrateServer} */
  async liveMigrateServer(ctx: RequestContext, uuid: string, spec: LiveMigrateSpec): Promise<void> {
    const server = this.checked(ctx, uuid, "migrateLive");
    const now = this.host.now();
    this.records.push({
      ...this.record(ctx, server, "live-migration", "accepted"),
      dest_compute: spec.host,
      created_at: now,
      updated_at: now,
    });
    this.host.recordAction(ctx, uuid, "live-migration");
    this.host.update(server, { taskState: "migrating" });
  }

  /** {@inheritDoc MigrationBackend.evacuateServer} (the fake takes every host for down) */
  async evacuateServer(ctx: RequestContext, uuid: string, spec: EvacuateSpec): Promise<void> {
    const server = this.checked(ctx, uuid, "evacuate");
    const now = this.host.now();
    this.records.push({
      ...this.record(ctx, server, "evacuation", "accepted"),
      dest_compute: spec.host,
      created_at: now,
      updated_at: now,
    });
    this.host.recordAction(ctx, uuid, "evacuate");
    this.host.update(server, { taskState: "rebuilding" });
  }

  /** {@inheritDoc MigrationBackend.forceCompleteLiveMigration} */
  async forceCompleteLiveMigration(ctx: RequestContext, uuid: string, migrationId: number): Promise<void> {
    const server = this.host.live(uuid);
    if (server.locked && !ctx.isAdmin) throw new InstanceIsLockedError(uuid);
    if (server.vmState !== "active" || server.taskState !== "migrating") {
      throw new InstanceInvalidStateError(
        uuid,
        "task_state",
        server.taskState,
        "live_migrate_force_complete",
      );
    }
    const m = this.liveMigration(uuid, migrationId, ["running"], "force complete");
    this.host.recordAction(ctx, uuid, "live_migration_force_complete");
    m.updated_at = this.host.now();
  }

  /** {@inheritDoc MigrationBackend.abortLiveMigration} */
  async abortLiveMigration(
    ctx: RequestContext,
    uuid: string,
    migrationId: number,
    abortQueued: boolean,
  ): Promise<void> {
    const server = this.host.live(uuid);
    if (server.locked && !ctx.isAdmin) throw new InstanceIsLockedError(uuid);
    if (server.taskState !== "migrating") {
      throw new InstanceInvalidStateError(uuid, "task_state", server.taskState, "live_migrate_abort");
    }
    const allowed = abortQueued ? ["running", "queued", "preparing"] : ["running"];
    const m = this.liveMigration(uuid, migrationId, allowed, "abort live migration");
    this.host.recordAction(ctx, uuid, "live_migration_cancel");
    Object.assign(m, { status: "cancelled", updated_at: this.host.now() });
    this.host.update(server, { taskState: null });
  }

  /** Test control: the server's newest migration takes `status` (a live migration `running`, say). */
  setStatus(uuid: string, status: string): void {
    const m = [...this.records].reverse().find((x) => x.instance_uuid === uuid);
    if (!m) throw new Error(`no migration for ${uuid}`);
    m.status = status;
  }

  /** {@inheritDoc MigrationBackend.listMigrations} */
  async listMigrations(_ctx: RequestContext, query: MigrationQuery): Promise<MigrationRecord[]> {
    let list = [...this.records]
      .reverse()
      .filter(
        (m) =>
          (!query.host || m.source_compute === query.host || m.dest_compute === query.host) &&
          (!query.status || m.status === query.status) &&
          (!query.instanceUuid || m.instance_uuid === query.instanceUuid) &&
          (!query.migrationType || m.migration_type === query.migrationType) &&
          (!query.userId || m.user_id === query.userId) &&
          (!query.projectId || m.project_id === query.projectId),
      );
    if (query.marker !== undefined) {
      const at = list.findIndex((m) => m.uuid === query.marker);
      if (at < 0) throw new MarkerNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    return query.limit !== undefined ? list.slice(0, query.limit) : list;
  }

  /** {@inheritDoc MigrationBackend.listServerMigrations} */
  async listServerMigrations(
    _ctx: RequestContext,
    uuid: string,
    migrationType: string,
  ): Promise<MigrationRecord[]> {
    return this.records.filter(
      (m) => m.instance_uuid === uuid && m.migration_type === migrationType && !DONE.has(m.status ?? ""),
    );
  }

  /** Test control: the server's started move finishes (migration `finished`, server VERIFY_RESIZE). */
  finish(uuid: string, dest: string): void {
    const m = [...this.records].reverse().find((x) => x.instance_uuid === uuid);
    if (!m) throw new Error(`no migration for ${uuid}`);
    Object.assign(m, {
      status: "finished",
      dest_compute: dest,
      dest_node: dest,
      updated_at: this.host.now(),
    });
    this.host.update(this.host.live(uuid), { vmState: "resized", taskState: null, host: dest });
  }

  private checked(ctx: RequestContext, uuid: string, action: MoveActionName): ServerRecord {
    const server = this.host.live(uuid);
    const rule = MOVE_ACTION_STATES[action];
    if (!server.host) throw new InstanceNotReadyError(uuid);
    if (server.locked && !ctx.isAdmin) throw new InstanceIsLockedError(uuid);
    if (!rule.vmStates.includes(server.vmState)) {
      throw new InstanceInvalidStateError(uuid, "vm_state", server.vmState, rule.method);
    }
    if (!rule.taskStates.includes(server.taskState)) {
      throw new InstanceInvalidStateError(uuid, "task_state", server.taskState, rule.method);
    }
    return server;
  }

  private liveMigration(
    uuid: string,
    migrationId: number,
    allowed: readonly string[],
    method: string,
  ): MigrationRecord {
    const m = this.records.find(
      (x) => x.id === migrationId && x.instance_uuid === uuid && x.migration_type === "live-migration",
    );
    if (!m) throw new MigrationNotFoundError(migrationId, uuid);
    if (!allowed.includes(m.status ?? "")) {
      throw new InvalidRequestError(
        `Migration ${migrationId} state of instance ${uuid} is ${m.status}. Cannot ${method} while the migration is in this state.`,
      );
    }
    return m;
  }

  private record(ctx: RequestContext, server: ServerRecord, type: string, status: string): MigrationRecord {
    return {
      id: this.nextId++,
      uuid: randomUUID(),
      instance_uuid: server.uuid,
      status,
      migration_type: type as MigrationRecord["migration_type"],
      source_compute: server.host,
      source_node: server.node,
      dest_compute: null,
      dest_node: null,
      dest_host: null,
      old_instance_type_id: 1,
      new_instance_type_id: 1,
      user_id: ctx.userId,
      project_id: ctx.projectId,
    };
  }

  private start(ctx: RequestContext, server: ServerRecord, action: "resize" | "migrate"): void {
    const now = this.host.now();
    this.records.push({
      id: this.nextId++,
      uuid: randomUUID(),
      instance_uuid: server.uuid,
      status: "pre-migrating",
      migration_type: action === "resize" ? "resize" : "migration",
      source_compute: server.host,
      source_node: server.node,
      dest_compute: null,
      dest_node: null,
      dest_host: null,
      old_instance_type_id: 1,
      new_instance_type_id: 1,
      user_id: ctx.userId,
      project_id: ctx.projectId,
      created_at: now,
      updated_at: now,
    });
    this.host.recordAction(ctx, server.uuid, MOVE_ACTION_STATES[action].action);
    this.host.update(server, { taskState: "resize_prep" });
  }

  private finished(uuid: string): MigrationRecord {
    const m = this.records.find((x) => x.instance_uuid === uuid && x.status === "finished");
    if (!m)
      throw new InvalidRequestError(`Migration for instance ${uuid} and status finished could not be found.`);
    return m;
  }
}

const DONE = new Set(["confirmed", "reverted", "error", "failed", "completed", "cancelled", "done"]);
