import { randomUUID } from "node:crypto";
import { fromSqlDate, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";

/** A host aggregate with its hosts and metadata (Nova's Aggregate object). */
export interface AggregateRecord {
  /** Database id (the API's aggregate id). */
  id: number;
  /** Its uuid (shown from 2.41). */
  uuid: string;
  /** Unique name. */
  name: string;
  /** Compute host names, in the order they were added. */
  hosts: string[];
  /** Key/value metadata; `availability_zone` makes it a zone. */
  metadata: Record<string, string>;
  /** When it was created. */
  created_at: Date | null;
  /** When its name (or, as Nova stamps it, its row) last changed. */
  updated_at: Date | null;
}

/** What creating an aggregate needs. */
export interface AggregateCreate {
  /** Unique name. */
  name: string;
  /** Its uuid (generated when absent). */
  uuid?: string;
  /** Initial metadata (the availability zone given at create). */
  metadata?: Record<string, string>;
}

/** The API database's aggregates, aggregate_hosts and aggregate_metadata (hard-deleted, as in Nova). */
export class AggregateRepository {
  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Creates an aggregate with its metadata; DuplicateEntryError for a taken name. */
  create(values: AggregateCreate): Promise<AggregateRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const res = await trx
        .insertInto("aggregates")
        .values({ uuid: values.uuid ?? randomUUID(), name: values.name, created_at: now })
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      const md = Object.entries(values.metadata ?? {});
      if (md.length > 0) {
        await trx
          .insertInto("aggregate_metadata")
          .values(md.map(([key, value]) => ({ aggregate_id: id, key, value, created_at: now })))
          .execute();
      }
      return this.load(trx, id);
    }, "Aggregate");
  }

  /** One aggregate by id; NotFoundError if none. */
  get(id: number): Promise<AggregateRecord> {
    return this.d.run((db) => this.load(db, id));
  }

  /** Every aggregate by id, with hosts and metadata (3 queries). */
  list(): Promise<AggregateRecord[]> {
    return this.d.run(async (db) =>
      this.hydrate(db, await db.selectFrom("aggregates").selectAll().orderBy("id").execute()),
    );
  }

  /** The aggregates a host is in, only those with metadata `key` when given (Nova's AggregateList.get_by_host). */
  listByHost(host: string, key?: string): Promise<AggregateRecord[]> {
    return this.d.run(async (db) => {
      let q = db
        .selectFrom("aggregates")
        .selectAll("aggregates")
        .where("id", "in", db.selectFrom("aggregate_hosts").select("aggregate_id").where("host", "=", host));
      if (key !== undefined) {
        q = q.where(
          "id",
          "in",
          db.selectFrom("aggregate_metadata").select("aggregate_id").where("key", "=", key),
        );
      }
      return this.hydrate(db, await q.orderBy("id").execute());
    });
  }

  /** Renames an aggregate; DuplicateEntryError for a taken name, NotFoundError if none. */
  rename(id: number, name: string): Promise<AggregateRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const r = await trx
        .updateTable("aggregates")
        .set({ name, updated_at: now })
        .where("id", "=", id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new NotFoundError("Aggregate", String(id));
      return this.load(trx, id);
    }, "Aggregate");
  }

  /**
   * Sets metadata keys; a null value deletes its key (a missing one is ignored, as Nova's update_metadata
   * does) and stamps the aggregate's updated_at. NotFoundError if the aggregate does not exist.
   */
  updateMetadata(id: number, changes: Record<string, string | null>): Promise<AggregateRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const agg = await this.load(trx, id);
      const gone = Object.entries(changes)
        .filter(([, v]) => v === null)
        .map(([k]) => k);
      if (gone.length > 0) {
        await trx
          .deleteFrom("aggregate_metadata")
          .where("aggregate_id", "=", id)
          .where("key", "in", gone)
          .execute();
      }
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) continue;
        if (key in agg.metadata) {
          await trx
            .updateTable("aggregate_metadata")
            .set({ value, updated_at: now })
            .where("aggregate_id", "=", id)
            .where("key", "=", key)
            .execute();
        } else {
          await trx
            .insertInto("aggregate_metadata")
            .values({ aggregate_id: id, key, value, created_at: now })
            .execute();
        }
      }
      // Nova answers a metadata change with the aggregate's updated_at set to now; kept in the row here.
      await trx.updateTable("aggregates").set({ updated_at: now }).where("id", "=", id).execute();
      return this.load(trx, id);
    }, "AggregateMetadata");
  }

  /** Adds a host; DuplicateEntryError if it is already in, NotFoundError if the aggregate does not exist. */
  addHost(id: number, host: string): Promise<AggregateRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      await this.load(trx, id);
      await trx.insertInto("aggregate_hosts").values({ aggregate_id: id, host, created_at: now }).execute();
      return this.load(trx, id);
    }, "AggregateHost");
  }

  /** Removes a host; NotFoundError (entity AggregateHost) if it is not in the aggregate. */
  removeHost(id: number, host: string): Promise<AggregateRecord> {
    return this.d.transaction(async (trx) => {
      await this.load(trx, id);
      const r = await trx
        .deleteFrom("aggregate_hosts")
        .where("aggregate_id", "=", id)
        .where("host", "=", host)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new NotFoundError("AggregateHost", host);
      return this.load(trx, id);
    });
  }

  /** Deletes an aggregate with its metadata and host list; NotFoundError if none. */
  delete(id: number): Promise<void> {
    return this.d.transaction(async (trx) => {
      await this.load(trx, id);
      await trx.deleteFrom("aggregate_metadata").where("aggregate_id", "=", id).execute();
      await trx.deleteFrom("aggregate_hosts").where("aggregate_id", "=", id).execute();
      await trx.deleteFrom("aggregates").where("id", "=", id).execute();
    });
  }

  private async load(db: Db, id: number): Promise<AggregateRecord> {
    const [a] = await this.hydrate(
      db,
      await db.selectFrom("aggregates").selectAll().where("id", "=", id).execute(),
    );
    if (!a) throw new NotFoundError("Aggregate", String(id));
    return a;
  }

  private async hydrate(db: Db, rows: Record<string, unknown>[]): Promise<AggregateRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const [hosts, metadata] = await Promise.all([
      db
        .selectFrom("aggregate_hosts")
        .select(["aggregate_id", "host"])
        .where("aggregate_id", "in", ids)
        .orderBy("id")
        .execute(),
      db
        .selectFrom("aggregate_metadata")
        .select(["aggregate_id", "key", "value"])
        .where("aggregate_id", "in", ids)
        .orderBy("id")
        .execute(),
    ]);
    return rows.map((r) => {
      const id = Number(r.id);
      const md: Record<string, string> = {};
      for (const m of metadata) if (Number(m.aggregate_id) === id) md[String(m.key)] = String(m.value);
      return {
        id,
        uuid: String(r.uuid),
        name: String(r.name),
        hosts: hosts.filter((h) => Number(h.aggregate_id) === id).map((h) => String(h.host)),
        metadata: md,
        created_at: fromSqlDate(r.created_at),
        updated_at: fromSqlDate(r.updated_at),
      };
    });
  }
}
