import {
  type BuildRequest,
  InstanceCodec,
  type NovaObjectPrimitive,
  type RequestSpec,
  RequestSpecCodec,
} from "@nova/objects";
import { sql } from "kysely";
import { fromSqlDate, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { NovaDatabase } from "../nova-database.js";
import { PreparedStatement } from "../prepared-statement.js";

/** A build request as the API stored it: the instance (not yet in any cell) in its wire form. */
export type BuildRequestRecord = Pick<
  BuildRequest,
  | "id"
  | "instance_uuid"
  | "project_id"
  | "instance"
  | "block_device_mappings"
  | "tags"
  | "created_at"
  | "updated_at"
>;

/** Build requests: what the API accepted and the conductor has not yet placed. */
export class BuildRequestRepository {
  // Every server listing reads the project's build requests: compiled once.
  private readonly byProjectStatement = new PreparedStatement((db, slot) =>
    db.selectFrom("build_requests").selectAll().where("project_id", "=", slot(0)).orderBy("id"),
  );

  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Stores a build request; DuplicateEntryError if the instance already has one. */
  create(
    values: Pick<
      BuildRequest,
      "instance_uuid" | "project_id" | "instance" | "block_device_mappings" | "tags"
    >,
  ): Promise<BuildRequestRecord> {
    const now = toSqlDate(this.d.now());
    const row = {
      instance_uuid: values.instance_uuid,
      project_id: values.project_id,
      instance: JSON.stringify(InstanceCodec.toPrimitive(values.instance)),
      block_device_mappings: JSON.stringify(values.block_device_mappings),
      tags: JSON.stringify(values.tags),
      created_at: now,
    };
    // One insert; the record is what was written plus its new id (a read-back would be a second round trip
    // on every boot).
    return this.d.run(async (db) => {
      const res = await db.insertInto("build_requests").values(row).executeTakeFirstOrThrow();
      return this.read({ ...row, id: Number(res.insertId), updated_at: null });
    }, "BuildRequest");
  }

  /**
   * Saves a changed instance into its build request (Nova's update_instance before the instance reaches a
   * cell); false when the build request is gone (the conductor moved it into a cell meanwhile).
   */
  saveInstance(instanceUuid: string, instance: BuildRequest["instance"]): Promise<boolean> {
    return this.d.run(async (db) => {
      const res = await db
        .updateTable("build_requests")
        .set({
          instance: JSON.stringify(InstanceCodec.toPrimitive(instance)),
          updated_at: toSqlDate(this.d.now()),
        })
        .where("instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    }, "BuildRequest");
  }

  /** The build request of an instance. */
  getByInstanceUuid(instanceUuid: string): Promise<BuildRequestRecord> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("build_requests")
        .selectAll()
        .where("instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("BuildRequest", instanceUuid);
      return this.read(row);
    });
  }

  /** A project's pending build requests, oldest first. */
  listByProject(projectId: string): Promise<BuildRequestRecord[]> {
    return this.d.run(async (db) =>
      (await this.byProjectStatement.rows(db, [projectId])).map((r) => this.read(r)),
    );
  }

  /** How many build requests a project has pending (quota counts them as instances). */
  countByProject(projectId: string): Promise<number> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("build_requests")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("project_id", "=", projectId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    });
  }

  /**
   * Servers, cores and RAM of a project's (or one of its users') pending builds, for quota counting: the
   * instance each build request holds carries its user, vCPUs and memory.
   */
  pendingUsage(
    projectId: string,
    userId?: string,
  ): Promise<{ instances: number; cores: number; ram: number }> {
    // Summed in the database: a project's pending builds are never shipped to this process and parsed.
    const field = (name: string) =>
      this.d.dialect === "mysql"
        ? sql<unknown>`JSON_UNQUOTE(JSON_EXTRACT(instance, ${`$."nova_object.data".${name}`}))`
        : sql<unknown>`json_extract(instance, ${`$."nova_object.data".${name}`})`;
    return this.d.run(async (db) => {
      let query = db
        .selectFrom("build_requests")
        .select([
          sql<number>`COUNT(*)`.as("instances"),
          sql<number>`COALESCE(SUM(${field("vcpus")}), 0)`.as("cores"),
          sql<number>`COALESCE(SUM(${field("memory_mb")}), 0)`.as("ram"),
        ])
        .where("project_id", "=", projectId);
      if (userId !== undefined) query = query.where(field("user_id"), "=", userId);
      const row = await query.executeTakeFirst();
      return {
        instances: Number(row?.instances ?? 0),
        cores: Number(row?.cores ?? 0),
        ram: Number(row?.ram ?? 0),
      };
    });
  }

  /**
   * Deletes the build request once the instance is in a cell. Returns false if it was already gone: the
   * user deleted the server meanwhile, and the conductor must then clean up the instance it created.
   */
  delete(instanceUuid: string): Promise<boolean> {
    return this.d.run(async (db) => {
      const res = await db
        .deleteFrom("build_requests")
        .where("instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  private read(row: Record<string, unknown>): BuildRequestRecord {
    return {
      id: Number(row.id),
      instance_uuid: String(row.instance_uuid),
      project_id: String(row.project_id),
      instance: InstanceCodec.fromPrimitive(JSON.parse(String(row.instance))),
      block_device_mappings: JSON.parse(String(row.block_device_mappings)) as NovaObjectPrimitive,
      tags: JSON.parse(String(row.tags)) as NovaObjectPrimitive,
      created_at: fromSqlDate(row.created_at),
      updated_at: fromSqlDate(row.updated_at),
    };
  }
}

/** Request specs, stored whole in their wire form as Nova does (one JSON document per instance). */
export class RequestSpecRepository {
  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Creates or replaces the spec of an instance. */
  save(spec: Partial<RequestSpec> & { instance_uuid: string }): Promise<void> {
    const now = toSqlDate(this.d.now());
    const { id: _id, ...persisted } = spec;
    const json = JSON.stringify(RequestSpecCodec.toPrimitive(persisted, { changes: [] }));
    // One upsert on the unique instance_uuid (was begin, update, insert, commit), which also cannot lose a
    // race between two first saves.
    return this.d.run(async (db) => {
      const insert = db
        .insertInto("request_specs")
        .values({ instance_uuid: spec.instance_uuid, spec: json, created_at: now });
      const replace = { spec: json, updated_at: now };
      await (this.d.dialect === "mysql"
        ? insert.onDuplicateKeyUpdate(replace)
        : insert.onConflict((oc) => oc.column("instance_uuid").doUpdateSet(replace))
      ).execute();
    }, "RequestSpec");
  }

  /** The spec of an instance, with its row id. */
  getByInstanceUuid(instanceUuid: string): Promise<Partial<RequestSpec>> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("request_specs")
        .select(["id", "spec"])
        .where("instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("RequestSpec", instanceUuid);
      const spec = RequestSpecCodec.fromPrimitive(JSON.parse(String(row.spec)));
      spec.id = Number(row.id);
      return spec;
    });
  }

  /** Deletes the spec of an instance (when the instance is deleted). */
  delete(instanceUuid: string): Promise<void> {
    return this.d.run(async (db) => {
      await db.deleteFrom("request_specs").where("instance_uuid", "=", instanceUuid).execute();
    });
  }
}
