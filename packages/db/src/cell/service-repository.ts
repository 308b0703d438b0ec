import { randomUUID } from "node:crypto";
import { SERVICE_VERSION, type Service } from "@nova/objects";
import { sql } from "kysely";
import { columnMap, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";

const serviceColumns = columnMap({
  id: "int",
  uuid: "string",
  host: "string",
  binary: "string",
  topic: "string",
  report_count: "int",
  disabled: "bool",
  disabled_reason: "string",
  last_seen_up: "date",
  forced_down: "bool",
  version: "int",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** A service as stored (availability_zone is computed from aggregates in Nova, so it is not stored). */
export type ServiceRecord = Omit<Service, "availability_zone">;

/** What registering a service needs. */
export type ServiceCreate = Pick<Service, "host" | "binary" | "topic"> &
  Partial<Pick<Service, "uuid" | "disabled" | "disabled_reason" | "forced_down" | "version">>;

/** Fields Service.save may change. */
export type ServiceChanges = Partial<
  Pick<Service, "disabled" | "disabled_reason" | "forced_down" | "version" | "report_count" | "topic">
>;

/** Service filters. */
export interface ServiceFilters {
  /** Only this host's services. */
  host?: string;
  /** Only this binary's (nova-compute, ...). */
  binary?: string;
  /** Only this topic's. */
  topic?: string;
  /** Only disabled (true) or only enabled (false) services. */
  disabled?: boolean;
}

/** Services of a cell and their heartbeats. */
export class ServiceRepository {
  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Registers a service; DuplicateEntryError if this host already runs this binary. */
  create(values: ServiceCreate): Promise<ServiceRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const res = await trx
        .insertInto("services")
        .values(
          serviceColumns.toRow({
            uuid: randomUUID(),
            report_count: 0,
            disabled: false,
            disabled_reason: null,
            forced_down: false,
            version: SERVICE_VERSION,
            ...values,
            created_at: now,
          }),
        )
        .executeTakeFirstOrThrow();
      return this.byId(trx, Number(res.insertId));
    }, "Service");
  }

  /** A live service by id. */
  get(id: number): Promise<ServiceRecord> {
    return this.d.run((db) => this.byId(db, id));
  }

  /** A live service by uuid. */
  getByUuid(uuid: string): Promise<ServiceRecord> {
    return this.d.run(async (db) =>
      this.one("uuid", uuid, await this.live(db).where("uuid", "=", uuid).executeTakeFirst()),
    );
  }

  /** The service running `binary` on `host` (Service.get_by_host_and_binary). */
  getByHostAndBinary(host: string, binary: string): Promise<ServiceRecord> {
    return this.d.run(async (db) =>
      this.one(
        "host/binary",
        `${host}/${binary}`,
        await this.live(db).where("host", "=", host).where("binary", "=", binary).executeTakeFirst(),
      ),
    );
  }

  /** The nova-compute service of a host (Service.get_by_compute_host). */
  getByComputeHost(host: string): Promise<ServiceRecord> {
    return this.getByHostAndBinary(host, "nova-compute");
  }

  /** Live services matching the filters, by id. */
  list(filters: ServiceFilters = {}): Promise<ServiceRecord[]> {
    return this.d.run(async (db) => {
      let q = this.live(db);
      if (filters.host !== undefined) q = q.where("host", "=", filters.host);
      if (filters.binary !== undefined) q = q.where("binary", "=", filters.binary);
      if (filters.topic !== undefined) q = q.where("topic", "=", filters.topic);
      if (filters.disabled !== undefined) q = q.where("disabled", "=", filters.disabled ? 1 : 0);
      return (await q.orderBy("id").execute()).map((r) => serviceColumns.fromRow(r) as ServiceRecord);
    });
  }

  /**
   * The lowest `version` among live services of a binary (Service.get_minimum_version): what RPC
   * clients may pin to during a rolling upgrade. 0 when none is registered.
   */
  minimumVersion(binary: string): Promise<number> {
    return this.d.run(async (db) => {
      const r = await db
        .selectFrom("services")
        .select(sql<number | null>`MIN(version)`.as("v"))
        .where("binary", "=", binary)
        .where("deleted", "=", 0)
        .where("forced_down", "=", 0)
        .executeTakeFirst();
      return r?.v === null || r?.v === undefined ? 0 : Number(r.v);
    });
  }

  /**
   * Services created, updated (heartbeats included) or deleted at or after `since`, soft-deleted ones
   * included (`deleted` true), by id: what a scheduler polls to keep liveness and status current.
   */
  listChangedSince(since: Date, filters: Pick<ServiceFilters, "binary"> = {}): Promise<ServiceRecord[]> {
    const at = toSqlDate(since);
    return this.d.run(async (db) => {
      let q = db
        .selectFrom("services")
        .selectAll()
        .where((eb) =>
          eb.or([eb("updated_at", ">=", at), eb("created_at", ">=", at), eb("deleted_at", ">=", at)]),
        );
      if (filters.binary !== undefined) q = q.where("binary", "=", filters.binary);
      return (await q.orderBy("id").execute()).map((r) => serviceColumns.fromRow(r) as ServiceRecord);
    });
  }

  /**
   * Service.save: writes the changed fields and stamps updated_at. A report_count that went up also
   * stamps last_seen_up, as Nova's service_update does.
   */
  update(id: number, changes: ServiceChanges): Promise<ServiceRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const before = await this.byId(trx, id);
      const set = serviceColumns.toRow({ ...changes, updated_at: now });
      if (changes.report_count !== undefined && changes.report_count > before.report_count)
        set.last_seen_up = toSqlDate(now);
      await trx.updateTable("services").set(set).where("id", "=", id).where("deleted", "=", 0).execute();
      return this.byId(trx, id);
    }, "Service");
  }

  /**
   * One heartbeat: report_count + 1 and updated_at = last_seen_up = now, in a single statement so
   * concurrent reporters never lose a count. Returns the fields Nova sends back to the compute.
   */
  heartbeat(id: number): Promise<Pick<ServiceRecord, "report_count" | "updated_at" | "last_seen_up">> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const res = await trx
        .updateTable("services")
        .set({ report_count: sql`report_count + 1`, updated_at: now, last_seen_up: now })
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("Service", String(id));
      const s = await this.byId(trx, id);
      return { report_count: s.report_count, updated_at: s.updated_at, last_seen_up: s.last_seen_up };
    }, "Service");
  }

  /** Soft-deletes a service and the compute nodes it owned, so the host/binary can register again. */
  destroy(id: number): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const res = await trx
        .updateTable("services")
        .set({ deleted: sql`id`, deleted_at: now })
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("Service", String(id));
      await trx
        .updateTable("compute_nodes")
        .set({ deleted: sql`id`, deleted_at: now })
        .where("service_id", "=", id)
        .where("deleted", "=", 0)
        .execute();
    }, "Service");
  }

  private live(db: Db) {
    return db.selectFrom("services").selectAll().where("deleted", "=", 0);
  }

  private async byId(db: Db, id: number): Promise<ServiceRecord> {
    return this.one("id", String(id), await this.live(db).where("id", "=", id).executeTakeFirst());
  }

  private one(what: string, key: string, row: Record<string, unknown> | undefined): ServiceRecord {
    if (!row) throw new NotFoundError("Service", `${what} ${key}`);
    return serviceColumns.fromRow(row) as ServiceRecord;
  }
}
