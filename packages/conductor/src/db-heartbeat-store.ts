import { hasErrorCode } from "@nova/core";
import type { CellDatabase, Db } from "@nova/db";
import type {
  HeartbeatOutcome,
  HeartbeatReport,
  HeartbeatStore,
  RecordedService,
  ServiceKey,
} from "@nova/servicegroup";
import { sql } from "kysely";

/** Nova's DATETIME form: UTC, whole seconds. */
function sqlDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function msOf(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  return Date.parse(`${String(v).replace(" ", "T").slice(0, 19)}Z`);
}

function toRecorded(row: Record<string, unknown>): RecordedService {
  return {
    host: String(row.host),
    binary: String(row.binary),
    topic: String(row.topic ?? ""),
    forcedDown: Number(row.forced_down) !== 0,
    disabled: Number(row.disabled) !== 0,
    disabledReason: row.disabled_reason === null ? null : String(row.disabled_reason),
    reportCount: Number(row.report_count),
    lastSeenUp: msOf(row.last_seen_up),
    createdAt: msOf(row.created_at) ?? 0,
    updatedAt: msOf(row.updated_at),
    recordedDown: Number(row.recorded_down) !== 0,
  };
}

const keyOf = (r: { host: unknown; binary: unknown }) => `${String(r.binary)}@${String(r.host)}`;

/**
 * The db servicegroup driver's store on a cell database's `services` table. A batch of heartbeats costs
 * two statements whatever its size (one locking read, one multi-row UPDATE); marking services down is a
 * conditional update per service, so with several conductors each transition is recorded (and notified)
 * by exactly one of them, and a heartbeat landing during the check wins.
 */
export class DbHeartbeatStore implements HeartbeatStore {
  /** Statements that wrote heartbeats or down marks, for tests and the benchmark. */
  readonly counters = { heartbeatWrites: 0, downWrites: 0 };

  /** A store that writes to the `services` table of `cellDb`. */
  constructor(private readonly cellDb: CellDatabase) {}

  /** Writes a batch of heartbeats at `at` (ms), never moving a service's report_count back. */
  async recordHeartbeats(reports: readonly HeartbeatReport[], at: number): Promise<HeartbeatOutcome[]> {
    if (reports.length === 0) return [];
    // Whole seconds, as stored, so the reply carries exactly what a later read returns.
    const atMs = Math.floor(at / 1000) * 1000;
    const when = sqlDate(atMs);
    const d = this.cellDb.db;
    const found = await d.transaction(async (trx) => {
      let q = trx
        .selectFrom("services")
        .select(["id", "host", "binary", "recorded_down"])
        .where("deleted", "=", 0)
        // IN lists (pairs are matched below): one index range per host, cheap to build and to plan.
        .where("host", "in", [...new Set(reports.map((r) => r.host))])
        .where("binary", "in", [...new Set(reports.map((r) => r.binary))])
        .orderBy("id");
      // Lock the rows so `wasDown` and the write agree when two conductors record the same service.
      if (d.dialect === "mysql") q = q.forUpdate();
      const wanted = new Set(reports.map(keyOf));
      const rows = (await q.execute()).filter((r) => wanted.has(keyOf(r)));
      if (rows.length === 0) return new Map<string, Record<string, unknown>>();
      const byKey = new Map(rows.map((r) => [keyOf(r), r as Record<string, unknown>]));
      const cases = reports
        .map((r) => ({ r, row: byKey.get(keyOf(r)) }))
        .filter((x): x is { r: HeartbeatReport; row: Record<string, unknown> } => x.row !== undefined)
        .map(({ r, row }) => sql`WHEN ${Number(row.id)} THEN ${r.reportCount}`);
      // A late retry never moves the counter back: the larger of the stored and the reported count.
      const larger = d.dialect === "mysql" ? sql`GREATEST` : sql`MAX`;
      this.counters.heartbeatWrites++;
      await trx
        .updateTable("services")
        .set({
          report_count: sql`${larger}(report_count, CASE id ${sql.join(cases, sql` `)} ELSE report_count END)`,
          last_seen_up: when,
          updated_at: when,
          recorded_down: 0,
        })
        .where(
          "id",
          "in",
          rows.map((r) => Number(r.id)),
        )
        .execute();
      return byKey;
    }, "Service");
    return reports.map((r): HeartbeatOutcome => {
      const row = found.get(keyOf(r));
      if (!row) return { status: "not_found" };
      return {
        status: "recorded",
        lastSeenUp: atMs,
        updatedAt: atMs,
        wasDown: Number(row.recorded_down) !== 0,
      };
    });
  }

  /** Marks services last seen before `cutoff` down (once each, at `at`) and returns those it marked. */
  async markDown(cutoff: number, at: number): Promise<RecordedService[]> {
    // Stored times are whole seconds, so `last_seen_up < cutoff` is exactly `last_seen_up < ceil(cutoff)`;
    // flooring instead would record a service down up to a second after it read down.
    const cutoffSql = sqlDate(Math.ceil(cutoff / 1000) * 1000);
    const when = sqlDate(at);
    const stale = (db: Db) =>
      db
        .selectFrom("services")
        .selectAll()
        .where("deleted", "=", 0)
        .where("forced_down", "=", 0)
        .where("recorded_down", "=", 0)
        .where(sql<boolean>`COALESCE(last_seen_up, created_at) < ${cutoffSql}`);
    const candidates = await this.cellDb.db.run((db) => stale(db).orderBy("id").execute());
    const down: RecordedService[] = [];
    for (const c of candidates) {
      // Conditional: only if the service is still stale and nobody (a heartbeat, another conductor) moved it.
      const res = await this.cellDb.db.run((db) =>
        db
          .updateTable("services")
          .set({ recorded_down: 1, updated_at: when })
          .where("id", "=", Number(c.id))
          .where("deleted", "=", 0)
          .where("forced_down", "=", 0)
          .where("recorded_down", "=", 0)
          .where(sql<boolean>`COALESCE(last_seen_up, created_at) < ${cutoffSql}`)
          .executeTakeFirst(),
      );
      this.counters.downWrites++;
      if (Number(res.numUpdatedRows) === 1) {
        down.push({ ...toRecorded(c), recordedDown: true, updatedAt: msOf(when) });
      }
    }
    return down;
  }

  /** The services rows, optionally only one topic's or one binary's. */
  async listServices(filter: { topic?: string; binary?: string } = {}): Promise<RecordedService[]> {
    return this.cellDb.db.run(async (db) => {
      let q = db.selectFrom("services").selectAll().where("deleted", "=", 0);
      if (filter.topic !== undefined) q = q.where("topic", "=", filter.topic);
      if (filter.binary !== undefined) q = q.where("binary", "=", filter.binary);
      return (await q.orderBy("id").execute()).map(toRecorded);
    });
  }

  /** The service row for `key`, created when it does not exist yet. */
  async ensureService(key: ServiceKey, _at: number): Promise<RecordedService> {
    const existing = await this.find(key);
    if (existing) return existing;
    try {
      await this.cellDb.services.create({ host: key.host, binary: key.binary, topic: key.topic });
    } catch (err) {
      // Another conductor registered it first: fine, read theirs.
      if (!hasErrorCode(err, "DB_DUPLICATE")) throw err;
    }
    const created = await this.find(key);
    if (!created) throw new Error(`service ${key.binary} on ${key.host} vanished right after creation`);
    return created;
  }

  private async find(key: Pick<ServiceKey, "host" | "binary">): Promise<RecordedService | undefined> {
    const row = await this.cellDb.db.run((db) =>
      db
        .selectFrom("services")
        .selectAll()
        .where("deleted", "=", 0)
        .where("host", "=", key.host)
        .where("binary", "=", key.binary)
        .executeTakeFirst(),
    );
    return row ? toRecorded(row) : undefined;
  }
}
