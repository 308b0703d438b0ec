import type { InstanceFault } from "@nova/objects";
import { columnMap } from "../column-map.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { PreparedByCount } from "../prepared-statement.js";

const faultColumns = columnMap({
  id: "int",
  instance_uuid: "string",
  code: "int",
  message: "string",
  details: "string",
  host: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** What recording a fault needs. */
export type InstanceFaultCreate = Pick<InstanceFault, "instance_uuid" | "code"> &
  Partial<Pick<InstanceFault, "message" | "details" | "host">>;

/** Instance faults: why builds and operations failed. */
export class InstanceFaultRepository {
  // The faults of a listing's instances, newest first (every detail listing reads them).
  private readonly byInstances = new PreparedByCount((db, slot, count) =>
    db
      .selectFrom("instance_faults")
      .selectAll()
      .where(
        "instance_uuid",
        "in",
        Array.from({ length: count }, (_, i) => slot(i)),
      )
      .where("deleted", "=", 0)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc"),
  );

  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Records a fault. Nova keeps the message to 255 characters and the details whole. */
  create(values: InstanceFaultCreate): Promise<InstanceFault> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const row = faultColumns.toRow({
        message: null,
        details: null,
        host: null,
        ...values,
        created_at: now,
      });
      if (typeof row.message === "string") row.message = row.message.slice(0, 255);
      const res = await trx.insertInto("instance_faults").values(row).executeTakeFirstOrThrow();
      const got = await trx
        .selectFrom("instance_faults")
        .selectAll()
        .where("id", "=", Number(res.insertId))
        .executeTakeFirstOrThrow();
      return faultColumns.fromRow(got) as InstanceFault;
    }, "InstanceFault");
  }

  /** Every fault of these instances, newest first. */
  listFor(uuids: readonly string[]): Promise<InstanceFault[]> {
    return this.d.run((db) => this.query(db, uuids));
  }

  /** The newest fault of each instance, in one query (for lists of instances). */
  async latestFor(uuids: readonly string[], db?: Db): Promise<Map<string, InstanceFault>> {
    const all = db ? await this.query(db, uuids) : await this.listFor(uuids);
    const out = new Map<string, InstanceFault>();
    for (const f of all) if (!out.has(f.instance_uuid)) out.set(f.instance_uuid, f);
    return out;
  }

  private async query(db: Db, uuids: readonly string[]): Promise<InstanceFault[]> {
    if (uuids.length === 0) return [];
    const rows = await this.byInstances.for(uuids.length).rows(db, uuids);
    return rows.map((r) => faultColumns.fromRow(r) as InstanceFault);
  }
}
