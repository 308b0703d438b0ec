import { randomUUID } from "node:crypto";
import type { BlockDeviceMapping, InstanceInfoCache } from "@nova/objects";
import { sql } from "kysely";
import { columnMap, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";

const bdmColumns = columnMap({
  id: "int",
  uuid: "string",
  instance_uuid: "string",
  source_type: "string",
  destination_type: "string",
  guest_format: "string",
  device_type: "string",
  disk_bus: "string",
  boot_index: "int",
  device_name: "string",
  delete_on_termination: "bool",
  snapshot_id: "string",
  volume_id: "string",
  volume_size: "int",
  image_id: "string",
  no_device: "bool",
  connection_info: "string",
  tag: "string",
  attachment_id: "string",
  volume_type: "string",
  encrypted: "bool",
  encryption_secret_uuid: "string",
  encryption_format: "string",
  encryption_options: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** A block device mapping as stored (the lazy `instance` field is never loaded). */
export type BlockDeviceMappingRecord = Omit<BlockDeviceMapping, "instance">;

/** What creating a mapping takes: any stored field but the ids (the instance uuid comes separately). */
export type BlockDeviceMappingCreate = Partial<
  Omit<BlockDeviceMappingRecord, "id" | "instance_uuid" | "deleted" | "deleted_at">
>;

/** Block device mappings of a cell's instances. */
export class BlockDeviceMappingRepository {
  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Stores an instance's mappings (as they came in the build request) in one transaction. */
  createForInstance(
    instanceUuid: string,
    bdms: readonly BlockDeviceMappingCreate[],
  ): Promise<BlockDeviceMappingRecord[]> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const rows = bdms.map((b) =>
        bdmColumns.toRow({
          delete_on_termination: false,
          no_device: false,
          encrypted: false,
          ...b,
          uuid: b.uuid ?? randomUUID(),
          instance_uuid: instanceUuid,
          created_at: now,
        }),
      );
      for (const r of rows) delete r.deleted;
      if (rows.length > 0) await trx.insertInto("block_device_mapping").values(rows).execute();
      return this.query(trx, instanceUuid);
    }, "BlockDeviceMapping");
  }

  /** BlockDeviceMappingList.get_by_instance_uuid: live mappings, in creation order. */
  listByInstance(instanceUuid: string): Promise<BlockDeviceMappingRecord[]> {
    return this.d.run((db) => this.query(db, instanceUuid));
  }

  /** BlockDeviceMapping.save. */
  update(
    id: number,
    changes: Partial<
      Omit<BlockDeviceMappingRecord, "id" | "uuid" | "instance_uuid" | "deleted" | "deleted_at">
    >,
  ): Promise<BlockDeviceMappingRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const set = bdmColumns.toRow({ ...changes, updated_at: now });
      for (const k of ["id", "uuid", "instance_uuid", "deleted", "deleted_at"]) delete set[k];
      const res = await trx
        .updateTable("block_device_mapping")
        .set(set)
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("BlockDeviceMapping", String(id));
      return bdmColumns.fromRow(
        await trx
          .selectFrom("block_device_mapping")
          .selectAll()
          .where("id", "=", id)
          .executeTakeFirstOrThrow(),
      ) as BlockDeviceMappingRecord;
    }, "BlockDeviceMapping");
  }

  /** Soft-deletes every mapping of an instance. */
  destroyForInstance(instanceUuid: string): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.run(async (db) => {
      await db
        .updateTable("block_device_mapping")
        .set({ deleted: sql`id`, deleted_at: now })
        .where("instance_uuid", "=", instanceUuid)
        .where("deleted", "=", 0)
        .execute();
    });
  }

  private async query(db: Db, instanceUuid: string): Promise<BlockDeviceMappingRecord[]> {
    const rows = await db
      .selectFrom("block_device_mapping")
      .selectAll()
      .where("instance_uuid", "=", instanceUuid)
      .where("deleted", "=", 0)
      .orderBy("id")
      .execute();
    return rows.map((r) => bdmColumns.fromRow(r) as BlockDeviceMappingRecord);
  }
}

const cacheColumns = columnMap({
  instance_uuid: "string",
  network_info: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** The network info cache of a cell's instances. */
export class InstanceInfoCacheRepository {
  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** The cache of an instance; NotFoundError if none was saved. */
  get(instanceUuid: string): Promise<InstanceInfoCache> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("instance_info_caches")
        .selectAll()
        .where("instance_uuid", "=", instanceUuid)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("InstanceInfoCache", instanceUuid);
      return cacheColumns.fromRow(row) as InstanceInfoCache;
    });
  }

  /** InstanceInfoCache.save: creates or replaces the network info (a JSON string, "[]" without ports). */
  save(instanceUuid: string, networkInfo: string | null): Promise<InstanceInfoCache> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const res = await trx
        .updateTable("instance_info_caches")
        .set({ network_info: networkInfo, updated_at: now })
        .where("instance_uuid", "=", instanceUuid)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        await trx
          .insertInto("instance_info_caches")
          .values({ instance_uuid: instanceUuid, network_info: networkInfo, created_at: now })
          .execute();
      }
      return cacheColumns.fromRow(
        await trx
          .selectFrom("instance_info_caches")
          .selectAll()
          .where("instance_uuid", "=", instanceUuid)
          .where("deleted", "=", 0)
          .executeTakeFirstOrThrow(),
      ) as InstanceInfoCache;
    }, "InstanceInfoCache");
  }
}
