import { randomUUID } from "node:crypto";
import { CELL0_UUID, type CellMapping, type HostMapping, type InstanceMapping } from "@nova/objects";
import { columnMap, fromSqlDate, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { PreparedStatement } from "../prepared-statement.js";

const cellColumns = columnMap({
  id: "int",
  uuid: "string",
  name: "string",
  transport_url: "string",
  database_connection: "string",
  disabled: "bool",
  created_at: "date",
  updated_at: "date",
});

/** What creating a cell mapping needs (`nova-manage cell_v2 create_cell`). */
export type CellMappingCreate = Pick<CellMapping, "name" | "transport_url" | "database_connection"> &
  Partial<Pick<CellMapping, "uuid" | "disabled">>;

/** What `update_cell` may change. */
export type CellMappingChanges = Partial<
  Pick<CellMapping, "name" | "transport_url" | "database_connection" | "disabled">
>;

/** Cell, host and instance mappings: where everything lives. */
export class CellMappingRepository {
  // Every API call on a server finds its cell through this: compiled once.
  private readonly instanceMappingStatement = new PreparedStatement((db, slot) =>
    this.mappingQuery(db).where("instance_mappings.instance_uuid", "=", slot(0)),
  );

  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Registers a cell; DuplicateEntryError for a taken uuid. */
  createCell(values: CellMappingCreate): Promise<CellMapping> {
    const now = this.d.now();
    const uuid = values.uuid ?? randomUUID();
    return this.d.transaction(async (trx) => {
      await trx
        .insertInto("cell_mappings")
        .values(cellColumns.toRow({ disabled: false, ...values, uuid, created_at: now }))
        .execute();
      return this.cell(trx, uuid);
    }, "CellMapping");
  }

  /** Registers cell0 (the well-known uuid) if it is not there yet; returns it either way. */
  async ensureCell0(transportUrl: string, databaseConnection: string): Promise<CellMapping> {
    try {
      return await this.getCell(CELL0_UUID);
    } catch (err) {
      if (!NotFoundError.isInstance(err)) throw err;
      return this.createCell({
        uuid: CELL0_UUID,
        name: "cell0",
        transport_url: transportUrl,
        database_connection: databaseConnection,
      });
    }
  }

  /** A cell by uuid. */
  getCell(uuid: string): Promise<CellMapping> {
    return this.d.run((db) => this.cell(db, uuid));
  }

  /** Every cell, cell0 first (ordered by id as Nova does). */
  listCells(): Promise<CellMapping[]> {
    return this.d.run(async (db) =>
      (await db.selectFrom("cell_mappings").selectAll().orderBy("id").execute()).map(
        (r) => cellColumns.fromRow(r) as CellMapping,
      ),
    );
  }

  /** Maps a compute host to a cell (`nova-manage cell_v2 discover_hosts`). */
  mapHost(host: string, cellUuid: string): Promise<HostMapping> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const cell = await this.cell(trx, cellUuid);
      await trx.insertInto("host_mappings").values({ host, cell_id: cell.id, created_at: now }).execute();
      return this.hostMapping(trx, host);
    }, "HostMapping");
  }

  /** The cell a host belongs to. */
  getHostMapping(host: string): Promise<HostMapping> {
    return this.d.run((db) => this.hostMapping(db, host));
  }

  /** Forgets a host's cell (HostMapping.destroy, when its compute service is deleted); false if unmapped. */
  unmapHost(host: string): Promise<boolean> {
    return this.d.run(async (db) => {
      const res = await db.deleteFrom("host_mappings").where("host", "=", host).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** Records an instance before it is placed (cell_mapping null), as the API does on boot. */
  createInstanceMapping(values: {
    instance_uuid: string;
    project_id: string;
    user_id: string;
    cell_uuid?: string | null;
  }): Promise<InstanceMapping> {
    const now = toSqlDate(this.d.now());
    // Without a cell it is a single write: the record is what was written plus its id (no read-back round
    // trip on every boot). With a cell, the cell is read and the insert is transactional.
    const run = values.cell_uuid ? this.d.transaction.bind(this.d) : this.d.run.bind(this.d);
    return run(async (trx) => {
      const cell = values.cell_uuid ? await this.cell(trx, values.cell_uuid) : null;
      const res = await trx
        .insertInto("instance_mappings")
        .values({
          instance_uuid: values.instance_uuid,
          project_id: values.project_id,
          user_id: values.user_id,
          cell_id: cell?.id ?? null,
          queued_for_delete: 0,
          created_at: now,
        })
        .executeTakeFirstOrThrow();
      return {
        id: Number(res.insertId),
        instance_uuid: values.instance_uuid,
        project_id: values.project_id,
        user_id: values.user_id,
        queued_for_delete: false,
        cell_mapping: cell,
        created_at: fromSqlDate(now),
        updated_at: null,
      };
    }, "InstanceMapping");
  }

  /** Points an instance mapping at the cell the instance was created in. */
  setInstanceCell(instanceUuid: string, cellUuid: string): Promise<InstanceMapping> {
    const now = toSqlDate(this.d.now());
    return this.d.run(async (db) => {
      // One statement finds the cell and points the mapping at it (was: begin, read, update, commit).
      const cellId = db.selectFrom("cell_mappings").select("id").where("uuid", "=", cellUuid);
      const res = await db
        .updateTable("instance_mappings")
        .set({ cell_id: cellId, updated_at: now })
        .where("instance_uuid", "=", instanceUuid)
        .where((eb) => eb.exists(cellId))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        await this.cell(db, cellUuid); // NotFound CellMapping when it is the cell that is missing
        throw new NotFoundError("InstanceMapping", instanceUuid);
      }
      return this.instanceMapping(db, instanceUuid);
    }, "InstanceMapping");
  }

  /** Marks an instance as queued for delete (the API does this before deleting it in its cell). */
  queueInstanceForDelete(instanceUuid: string): Promise<void> {
    return this.d.run(async (db) => {
      const res = await db
        .updateTable("instance_mappings")
        .set({ queued_for_delete: 1 })
        .where("instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("InstanceMapping", instanceUuid);
    });
  }

  /** The mapping of an instance, with its cell. */
  getInstanceMapping(instanceUuid: string): Promise<InstanceMapping> {
    return this.d.run((db) => this.instanceMapping(db, instanceUuid));
  }

  /** The mappings of a project's instances, with their cells, in one query (counting instances for quota). */
  listInstanceMappings(
    projectId: string,
    options: { includeQueuedForDelete?: boolean } = {},
  ): Promise<InstanceMapping[]> {
    return this.d.run(async (db) => {
      let q = this.mappingQuery(db).where("instance_mappings.project_id", "=", projectId);
      if (!options.includeQueuedForDelete) q = q.where("instance_mappings.queued_for_delete", "=", 0);
      return (await q.orderBy("instance_mappings.id").execute()).map((r) => this.toInstanceMapping(r));
    });
  }

  /**
   * The live mappings (not queued for delete) of a cell's instances, of one project or of all, oldest first:
   * what the API shows for a cell that does not answer (Nova's get_not_deleted_by_cell_and_project).
   */
  listLiveInstanceMappingsInCell(
    cellUuid: string,
    options: { projectId?: string | undefined; limit?: number | undefined } = {},
  ): Promise<InstanceMapping[]> {
    return this.d.run(async (db) => {
      let q = this.mappingQuery(db)
        .where("cell_mappings.uuid", "=", cellUuid)
        .where("instance_mappings.queued_for_delete", "=", 0);
      if (options.projectId !== undefined)
        q = q.where("instance_mappings.project_id", "=", options.projectId);
      if (options.limit !== undefined) q = q.limit(Math.max(0, options.limit));
      return (await q.orderBy("instance_mappings.id").execute()).map((r) => this.toInstanceMapping(r));
    });
  }

  /** Deletes an instance's mapping. */
  deleteInstanceMapping(instanceUuid: string): Promise<void> {
    return this.d.run(async (db) => {
      await db.deleteFrom("instance_mappings").where("instance_uuid", "=", instanceUuid).execute();
    });
  }

  /** Changes a cell's name, URLs or disabled flag (`nova-manage cell_v2 update_cell`). */
  updateCell(uuid: string, changes: CellMappingChanges): Promise<CellMapping> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      await this.cell(trx, uuid);
      const set = cellColumns.toRow(changes);
      await trx
        .updateTable("cell_mappings")
        .set({ ...set, updated_at: now })
        .where("uuid", "=", uuid)
        .execute();
      return this.cell(trx, uuid);
    }, "CellMapping");
  }

  /**
   * Deletes a cell mapping, and with it the host and instance mappings that still point at it (the caller
   * decides whether that is allowed: `delete_cell` refuses unless forced).
   */
  deleteCell(uuid: string): Promise<void> {
    return this.d.transaction(async (trx) => {
      const cell = await this.cell(trx, uuid);
      await trx.deleteFrom("instance_mappings").where("cell_id", "=", cell.id).execute();
      await trx.deleteFrom("host_mappings").where("cell_id", "=", cell.id).execute();
      await trx.deleteFrom("cell_mappings").where("id", "=", cell.id).execute();
    }, "CellMapping");
  }

  /** Host mappings, of one cell or of all, by cell then host (`list_hosts`, `delete_cell`). */
  listHostMappings(cellUuid?: string): Promise<HostMapping[]> {
    return this.d.run(async (db) => {
      let q = this.hostMappingQuery(db);
      if (cellUuid !== undefined) q = q.where("cell_mappings.uuid", "=", cellUuid);
      const rows = await q.orderBy("cell_mappings.id").orderBy("host_mappings.host").execute();
      return rows.map((r) => this.toHostMapping(r));
    });
  }

  /** The uuids of the instances mapped to a cell (`delete_cell` checks them). */
  listInstanceUuidsInCell(cellUuid: string): Promise<string[]> {
    return this.d.run(async (db) => {
      const rows = await db
        .selectFrom("instance_mappings")
        .innerJoin("cell_mappings", "cell_mappings.id", "instance_mappings.cell_id")
        .select("instance_mappings.instance_uuid")
        .where("cell_mappings.uuid", "=", cellUuid)
        .orderBy("instance_mappings.id")
        .execute();
      return rows.map((r) => String(r.instance_uuid));
    });
  }

  /**
   * Maps to a cell those of these instances that have no mapping yet, in two statements whatever their
   * number (`map_instances`); returns how many were mapped.
   */
  mapInstancesToCell(
    cellUuid: string,
    instances: readonly { instance_uuid: string; project_id: string; user_id: string }[],
  ): Promise<number> {
    if (instances.length === 0) return Promise.resolve(0);
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const cell = await this.cell(trx, cellUuid);
      const taken = new Set(
        (
          await trx
            .selectFrom("instance_mappings")
            .select("instance_uuid")
            .where(
              "instance_uuid",
              "in",
              instances.map((i) => i.instance_uuid),
            )
            .execute()
        ).map((r) => String(r.instance_uuid)),
      );
      const fresh = instances.filter((i) => !taken.has(i.instance_uuid));
      if (fresh.length === 0) return 0;
      await trx
        .insertInto("instance_mappings")
        .values(
          fresh.map((i) => ({
            instance_uuid: i.instance_uuid,
            project_id: i.project_id,
            user_id: i.user_id,
            cell_id: cell.id,
            queued_for_delete: 0,
            created_at: now,
          })),
        )
        .execute();
      return fresh.length;
    }, "InstanceMapping");
  }

  private async cell(db: Db, uuid: string): Promise<CellMapping> {
    const row = await db.selectFrom("cell_mappings").selectAll().where("uuid", "=", uuid).executeTakeFirst();
    if (!row) throw new NotFoundError("CellMapping", uuid);
    return cellColumns.fromRow(row) as CellMapping;
  }

  private async hostMapping(db: Db, host: string): Promise<HostMapping> {
    const row = await this.hostMappingQuery(db).where("host_mappings.host", "=", host).executeTakeFirst();
    if (!row) throw new NotFoundError("HostMapping", host);
    return this.toHostMapping(row);
  }

  private hostMappingQuery(db: Db) {
    return db
      .selectFrom("host_mappings")
      .innerJoin("cell_mappings", "cell_mappings.id", "host_mappings.cell_id")
      .select([
        "host_mappings.id as hm_id",
        "host_mappings.host as hm_host",
        "host_mappings.created_at as hm_created_at",
        "host_mappings.updated_at as hm_updated_at",
      ])
      .selectAll("cell_mappings");
  }

  private toHostMapping(row: Record<string, unknown>): HostMapping {
    return {
      id: Number(row.hm_id),
      host: String(row.hm_host),
      cell_mapping: cellColumns.fromRow(row) as CellMapping,
      created_at: fromSqlDate(row.hm_created_at),
      updated_at: fromSqlDate(row.hm_updated_at),
    };
  }

  private mappingQuery(db: Db) {
    return db
      .selectFrom("instance_mappings")
      .leftJoin("cell_mappings", "cell_mappings.id", "instance_mappings.cell_id")
      .select([
        "instance_mappings.id as im_id",
        "instance_mappings.instance_uuid as im_instance_uuid",
        "instance_mappings.project_id as im_project_id",
        "instance_mappings.user_id as im_user_id",
        "instance_mappings.queued_for_delete as im_queued_for_delete",
        "instance_mappings.created_at as im_created_at",
        "instance_mappings.updated_at as im_updated_at",
      ])
      .selectAll("cell_mappings");
  }

  private toInstanceMapping(row: Record<string, unknown>): InstanceMapping {
    return {
      id: Number(row.im_id),
      instance_uuid: String(row.im_instance_uuid),
      project_id: String(row.im_project_id),
      user_id: String(row.im_user_id),
      queued_for_delete: Number(row.im_queued_for_delete) !== 0,
      cell_mapping:
        row.uuid === null || row.uuid === undefined ? null : (cellColumns.fromRow(row) as CellMapping),
      created_at: fromSqlDate(row.im_created_at),
      updated_at: fromSqlDate(row.im_updated_at),
    };
  }

  private async instanceMapping(db: Db, instanceUuid: string): Promise<InstanceMapping> {
    const [row] = await this.instanceMappingStatement.rows(db, [instanceUuid]);
    if (!row) throw new NotFoundError("InstanceMapping", instanceUuid);
    return this.toInstanceMapping(row);
  }
}
