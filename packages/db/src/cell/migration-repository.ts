import { randomUUID } from "node:crypto";
import type { Migration } from "@nova/objects";
import { sql } from "kysely";
import { columnMap, fromSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError } from "../errors/query-error.js";
import { UnexpectedMigrationStatusError } from "../errors/unexpected-migration-status-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { PreparedStatement } from "../prepared-statement.js";

const migrationColumns = columnMap({
  id: "int",
  uuid: "string",
  source_compute: "string",
  dest_compute: "string",
  dest_host: "string",
  source_node: "string",
  dest_node: "string",
  status: "string",
  instance_uuid: "string",
  old_instance_type_id: "int",
  new_instance_type_id: "int",
  migration_type: "string",
  hidden: "bool",
  memory_total: "int",
  memory_processed: "int",
  memory_remaining: "int",
  disk_total: "int",
  disk_processed: "int",
  disk_remaining: "int",
  cross_cell_move: "bool",
  user_id: "string",
  project_id: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** A migration as stored (Nova's Migration object). */
export type MigrationRecord = Migration;

/** What recording a migration needs; the uuid is made when not given. */
export type MigrationCreate = Pick<Migration, "instance_uuid" | "status" | "migration_type"> &
  Partial<Omit<Migration, "id" | "deleted" | "deleted_at" | "created_at" | "updated_at">>;

/** Fields a step of a move may change. */
export type MigrationChanges = Partial<
  Omit<Migration, "id" | "uuid" | "instance_uuid" | "deleted" | "deleted_at" | "created_at" | "updated_at">
>;

/**
 * Statuses of a move that is over (Nova's list in migration_get_in_progress_by_host_and_node): such a migration
 * holds no resources and is not "in progress" for the server migrations API.
 */
export const MIGRATION_DONE_STATUSES = [
  "confirmed",
  "reverted",
  "error",
  "failed",
  "completed",
  "cancelled",
  "done",
] as const;

/** The os-migrations filters (Nova's migration_get_all_by_filters), every one optional. */
export interface MigrationFilters {
  /** Migrations from or to this compute host. */
  host?: string;
  /** Migrations from this compute host. */
  sourceCompute?: string;
  /** Only this status. */
  status?: string;
  /** Only this server's. */
  instanceUuid?: string;
  /** Only this type (`resize`, `migration`, `live-migration`, `evacuation`). */
  migrationType?: string;
  /** Only those updated at or after this time. */
  changesSince?: Date;
  /** Only those updated at or before this time. */
  changesBefore?: Date;
  /** Only this user's (2.80). */
  userId?: string;
  /** Only this project's (2.80). */
  projectId?: string;
  /** Hidden migrations (cross-cell bookkeeping) are left out unless true. */
  includeHidden?: boolean;
}

/** Paging of os-migrations (2.59): newest first, after the migration with uuid `marker`. */
export interface MigrationPage {
  /** At most this many. */
  limit?: number;
  /** The uuid of the last migration of the previous page. */
  marker?: string;
}

/**
 * Migrations (Nova's `migrations` table): one row per resize, cold or live migration, with status changes
 * made conditional on the status expected, so of two steps racing to end a move only one does.
 */
export class MigrationRepository {
  // Read after every step of every move: compiled once.
  private readonly byIdStatement = new PreparedStatement((db, slot) =>
    this.live(db).where("id", "=", slot(0)),
  );

  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Records a migration (created_at now, a fresh uuid unless given). */
  create(values: MigrationCreate): Promise<MigrationRecord> {
    const now = this.d.now();
    // One statement and a read of what it wrote: no transaction needed around them (a BEGIN and a COMMIT
    // are two round trips more, on a path every move takes).
    return this.d.run(async (db) => {
      const row = migrationColumns.toRow({
        hidden: false,
        cross_cell_move: false,
        ...values,
        uuid: values.uuid ?? randomUUID(),
        created_at: now,
        updated_at: now,
        deleted: false,
      });
      row.deleted = 0;
      const res = await db.insertInto("migrations").values(row).executeTakeFirstOrThrow();
      return this.byId(db, Number(res.insertId));
    }, "Migration");
  }

  /** One migration by id; NotFoundError when there is none. */
  get(id: number): Promise<MigrationRecord> {
    return this.d.run((db) => this.byId(db, id));
  }

  /** One migration by uuid; NotFoundError when there is none. */
  getByUuid(uuid: string): Promise<MigrationRecord> {
    return this.d.run(async (db) => {
      const row = await this.live(db).where("uuid", "=", uuid).executeTakeFirst();
      if (!row) throw new NotFoundError("Migration", uuid);
      return fromRow(row);
    });
  }

  /**
   * Saves the changes and returns the row as it now is. With `expectedStatus`, the row changes only while its
   * status is one of those (UnexpectedMigrationStatusError otherwise): steps that end a move and release what
   * it holds use this so only one of them wins.
   */
  update(
    id: number,
    changes: MigrationChanges,
    expectedStatus?: readonly string[],
  ): Promise<MigrationRecord> {
    // The UPDATE's own WHERE is the guard (atomic on its own); the reads after it need no transaction with
    // it, which spares a BEGIN and a COMMIT round trip on every step of every move. A read after the update
    // may see a later writer's change too, as it would a moment later anyway.
    return this.d.run(async (db) => {
      const set = this.changedColumns(changes);
      let q = db.updateTable("migrations").set(set).where("id", "=", id).where("deleted", "=", 0);
      if (expectedStatus) q = q.where("status", "in", [...expectedStatus]);
      const res = await q.executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        const current = await this.byId(db, id);
        if (expectedStatus && !expectedStatus.includes(current.status ?? "")) {
          throw new UnexpectedMigrationStatusError(id, expectedStatus, current.status ?? null);
        }
      }
      return this.byId(db, id);
    }, "Migration");
  }

  /**
   * Saves a step of a move that is not over: the row changes only while its status is not a final one, in
   * one statement and a read back (no read before). `saved` false: the move was already over, and the row
   * is returned as it is.
   */
  updateInProgress(
    id: number,
    changes: MigrationChanges,
  ): Promise<{ saved: boolean; migration: MigrationRecord }> {
    return this.d.run(async (db) => {
      const set = this.changedColumns(changes);
      const res = await db
        .updateTable("migrations")
        .set(set)
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .where((eb) =>
          eb.or([eb("status", "is", null), eb("status", "not in", [...MIGRATION_DONE_STATUSES])]),
        )
        .executeTakeFirst();
      return { saved: Number(res.numUpdatedRows) > 0, migration: await this.byId(db, id) };
    }, "Migration");
  }

  /**
   * The server's migrations of these types that are not over, oldest first (Nova's
   * MigrationList.get_in_progress_by_instance); every type when none is given.
   */
  listInProgressByInstance(
    instanceUuid: string,
    migrationTypes?: readonly string[],
  ): Promise<MigrationRecord[]> {
    return this.d.run(async (db) => {
      let q = this.live(db)
        .where("instance_uuid", "=", instanceUuid)
        .where("status", "not in", [...MIGRATION_DONE_STATUSES]);
      if (migrationTypes && migrationTypes.length > 0)
        q = q.where("migration_type", "in", [...migrationTypes]);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(fromRow);
    });
  }

  /** The moves into or out of `host` that are not over (what the host holds besides its instances). */
  listInProgressByHost(host: string): Promise<MigrationRecord[]> {
    return this.d.run(async (db) => {
      const rows = await this.live(db)
        .where((eb) => eb.or([eb("source_compute", "=", host), eb("dest_compute", "=", host)]))
        .where("status", "not in", [...MIGRATION_DONE_STATUSES])
        .orderBy("id")
        .execute();
      return rows.map(fromRow);
    });
  }

  /**
   * Migrations with this status last changed before `before` (Nova's migration_get_unconfirmed_by_dest_compute
   * reads `finished` ones on a destination for the resize_confirm_window sweep); `destCompute` narrows it.
   */
  listByStatusUpdatedBefore(status: string, before: Date, destCompute?: string): Promise<MigrationRecord[]> {
    return this.d.run(async (db) => {
      let q = this.live(db)
        .where("status", "=", status)
        .where("updated_at", "<=", migrationColumns.toRow({ updated_at: before }).updated_at as string);
      if (destCompute) q = q.where("dest_compute", "=", destCompute);
      return (await q.orderBy("id").execute()).map(fromRow);
    });
  }

  /**
   * os-migrations: the migrations matching `filters`, newest first (created_at, then id), paged after the
   * `marker` migration; MarkerNotFoundError for an unknown marker.
   */
  list(filters: MigrationFilters = {}, page: MigrationPage = {}): Promise<MigrationRecord[]> {
    return this.d.run(async (db) => {
      let q = this.live(db);
      if (filters.host) {
        const h = filters.host;
        q = q.where((eb) => eb.or([eb("source_compute", "=", h), eb("dest_compute", "=", h)]));
      }
      if (filters.sourceCompute) q = q.where("source_compute", "=", filters.sourceCompute);
      if (filters.status) q = q.where("status", "=", filters.status);
      if (filters.instanceUuid) q = q.where("instance_uuid", "=", filters.instanceUuid);
      if (filters.migrationType) q = q.where("migration_type", "=", filters.migrationType);
      if (filters.userId) q = q.where("user_id", "=", filters.userId);
      if (filters.projectId) q = q.where("project_id", "=", filters.projectId);
      if (!filters.includeHidden) q = q.where("hidden", "=", 0);
      const date = (d: Date) => migrationColumns.toRow({ updated_at: d }).updated_at as string;
      if (filters.changesSince) q = q.where("updated_at", ">=", date(filters.changesSince));
      if (filters.changesBefore) q = q.where("updated_at", "<=", date(filters.changesBefore));
      if (page.marker !== undefined) {
        const m = await db
          .selectFrom("migrations")
          .select(["id", "created_at"])
          .where("uuid", "=", page.marker)
          .executeTakeFirst();
        if (!m) throw new MarkerNotFoundError(page.marker);
        const created = m.created_at as string;
        const id = Number(m.id);
        q = q.where(
          sql<boolean>`(${sql.ref("created_at")} < ${created} OR (${sql.ref("created_at")} = ${created} AND ${sql.ref("id")} < ${id}))`,
        );
      }
      let ordered = q.orderBy("created_at", "desc").orderBy("id", "desc");
      if (page.limit !== undefined) ordered = ordered.limit(page.limit);
      return (await ordered.execute()).map(fromRow);
    });
  }

  private live(db: Db) {
    return db.selectFrom("migrations").selectAll().where("deleted", "=", 0);
  }

  /** The columns a save writes: the changes and updated_at, never identity or bookkeeping. */
  private changedColumns(changes: MigrationChanges): Record<string, unknown> {
    const set = migrationColumns.toRow({ ...changes, updated_at: this.d.now() });
    for (const k of ["id", "uuid", "instance_uuid", "created_at", "deleted", "deleted_at"]) delete set[k];
    return set;
  }

  private async byId(db: Db, id: number): Promise<MigrationRecord> {
    const [row] = await this.byIdStatement.rows(db, [id]);
    if (!row) throw new NotFoundError("Migration", String(id));
    return fromRow(row);
  }
}

function fromRow(row: Record<string, unknown>): MigrationRecord {
  const out = migrationColumns.fromRow(row) as MigrationRecord;
  // A stored datetime without a value comes back null, as Nova's object has it.
  out.updated_at = fromSqlDate(row.updated_at);
  return out;
}
