import type { InstanceAction, InstanceActionEvent } from "@nova/objects";
import { type Compilable, sql } from "kysely";
import { columnMap, fromSqlDate, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError } from "../errors/query-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { PreparedStatement } from "../prepared-statement.js";

const actionColumns = columnMap({
  id: "int",
  action: "string",
  instance_uuid: "string",
  request_id: "string",
  user_id: "string",
  project_id: "string",
  start_time: "date",
  finish_time: "date",
  message: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

const eventColumns = columnMap({
  id: "int",
  event: "string",
  action_id: "int",
  start_time: "date",
  finish_time: "date",
  result: "string",
  traceback: "string",
  host: "string",
  details: "string",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

// A row just inserted as it now stands in the table: the values written, the generated id, and the columns
// left out at their defaults (NULL, and 0 for `deleted`).
function written(
  columns: Record<string, unknown>,
  row: Record<string, unknown>,
  id: number,
): Record<string, unknown> {
  const full: Record<string, unknown> = {};
  for (const k of Object.keys(columns)) full[k] = null;
  return { ...full, deleted: 0, ...row, id };
}

// The row with the highest id, picked here rather than with ORDER BY id LIMIT 1, which can make SQLite
// walk the primary key instead of using the (instance_uuid, request_id) / action_id index.
function newest<T extends Record<string, unknown>>(rows: T[]): T | undefined {
  return rows.reduce<T | undefined>(
    (best, r) => (best === undefined || Number(r.id) > Number(best.id) ? r : best),
    undefined,
  );
}

/** What starting an action records (InstanceAction.pack_action_start). */
export interface ActionStart {
  /** The instance acted on. */
  instance_uuid: string;
  /** Nova's action name (create, reboot, ...). */
  action: string;
  /** The request that started it. */
  request_id: string;
  /** Who asked. */
  user_id?: string | null;
  /** Their project. */
  project_id?: string | null;
  /** When it started (now by default). */
  start_time?: Date;
}

/** How an event finished (InstanceActionEvent.pack_action_event_finish). */
export interface EventFinish {
  /** The event's outcome. */
  result: "Success" | "Error";
  /** The failure's traceback, for an error. */
  traceback?: string | null;
  /** Extra detail on the outcome. */
  details?: string | null;
}

/** A page of an instance's actions. */
export interface ActionPage {
  /** The most actions to return (0: none). */
  limit?: number;
  /** The id of the last action of the previous page. */
  marker?: number;
  /** The request id of the last action of the previous page (the API's marker). */
  markerRequestId?: string;
  /** Only actions updated at or after this time. */
  changesSince?: Date;
  /** Only actions updated at or before this time. */
  changesBefore?: Date;
}

/** Instance actions and their events: the history `openstack server event list` shows. */
export class InstanceActionRepository {
  // Every event start and finish runs these (several per move and build): compiled once.
  private readonly byRequestStatement = new PreparedStatement((db, slot) =>
    db
      .selectFrom("instance_actions")
      .selectAll()
      .where("instance_uuid", "=", slot(0))
      .where("request_id", "=", slot(1))
      .where("deleted", "=", 0),
  );
  private readonly openEventStatement = new PreparedStatement((db, slot) =>
    db
      .selectFrom("instance_actions_events as e")
      .innerJoin("instance_actions as a", "a.id", "e.action_id")
      .selectAll("e")
      .select(["a.action as action_name", "a.start_time as action_start_time"])
      .where(
        "e.action_id",
        "=",
        db
          .selectFrom("instance_actions")
          .select(sql<number>`MAX(id)`.as("id"))
          .where("instance_uuid", "=", slot(0))
          .where("request_id", "=", slot(1))
          .where("deleted", "=", 0),
      )
      .where("e.event", "=", slot(2))
      .where("e.deleted", "=", 0),
  );
  private readonly touchStatement = new PreparedStatement((db, slot) =>
    db
      .updateTable("instance_actions")
      .set({ updated_at: slot(1) })
      .where("id", "=", slot(0)),
  );

  // MariaDB/MySQL only (recordEventStart, recordEventFinish): the event and its action's timestamp each in one
  // statement, the action found by the statement itself.
  private readonly startUnderAction = new PreparedStatement((db, slot) =>
    raw(
      db,
      sql`INSERT INTO instance_actions_events (event, action_id, start_time, host, created_at)
        SELECT ${slot(0)}, id, ${slot(1)}, ${slot(2)}, ${slot(1)} FROM instance_actions
        WHERE instance_uuid = ${slot(3)} AND request_id = ${slot(4)} AND deleted = 0
        ORDER BY id DESC LIMIT 1`,
    ),
  );
  private readonly touchByRequest = new PreparedStatement((db, slot) =>
    raw(
      db,
      sql`UPDATE instance_actions SET updated_at = ${slot(0)}
        WHERE instance_uuid = ${slot(1)} AND request_id = ${slot(2)} AND deleted = 0
        ORDER BY id DESC LIMIT 1`,
    ),
  );
  // The newest open event of that name of the request's newest action, finished, and the action touched (and
  // marked failed on an error) in the same statement. The derived table `pick` is read before the update.
  private readonly finishUnderAction = new PreparedStatement((db, slot) =>
    raw(
      db,
      sql`UPDATE instance_actions_events AS e
        INNER JOIN (
          SELECT MAX(id) AS id FROM instance_actions_events
          WHERE event = ${slot(0)} AND deleted = 0 AND action_id = (
            SELECT MAX(id) FROM instance_actions
            WHERE instance_uuid = ${slot(1)} AND request_id = ${slot(2)} AND deleted = 0)
        ) AS pick ON pick.id = e.id
        INNER JOIN instance_actions AS a ON a.id = e.action_id
        SET e.finish_time = ${slot(3)}, e.updated_at = ${slot(3)}, e.result = ${slot(4)},
          e.traceback = ${slot(5)}, e.details = ${slot(6)}, a.updated_at = ${slot(3)},
          a.message = CASE WHEN ${slot(4)} = 'Error' THEN 'Error' ELSE a.message END`,
    ),
  );

  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /**
   * eventStart for a caller that does not need the event back (Nova's `want_result=False`, what computes
   * send): on MariaDB the insert finds the action itself, beside the action's timestamp, one round trip.
   */
  async recordEventStart(
    instanceUuid: string,
    requestId: string,
    event: string,
    host: string | null = null,
  ): Promise<void> {
    if (this.d.dialect !== "mysql") {
      await this.eventStart(instanceUuid, requestId, event, host);
      return;
    }
    const now = toSqlDate(this.d.now());
    const [inserted] = await Promise.all([
      this.d.run(
        (db) => this.startUnderAction.affected(db, [event, now, host, instanceUuid, requestId]),
        "InstanceActionEvent",
      ),
      this.d.run((db) => this.touchByRequest.execute(db, [now, instanceUuid, requestId]), "InstanceAction"),
    ]);
    if (inserted === 0) throw new NotFoundError("InstanceAction", `${instanceUuid} request ${requestId}`);
  }

  /**
   * eventFinish for a caller that does not need the event back: on MariaDB, unless an observer wants the
   * stage's times, one statement finishes the event and touches its action.
   */
  async recordEventFinish(
    instanceUuid: string,
    requestId: string,
    event: string,
    outcome: EventFinish,
  ): Promise<void> {
    if (this.d.dialect !== "mysql" || this.d.observer?.instanceEventFinished) {
      await this.eventFinish(instanceUuid, requestId, event, outcome);
      return;
    }
    const now = toSqlDate(this.d.now());
    const changed = await this.d.run(
      (db) =>
        this.finishUnderAction.affected(db, [
          event,
          instanceUuid,
          requestId,
          now,
          outcome.result,
          outcome.traceback ?? null,
          outcome.details ?? null,
        ]),
      "InstanceActionEvent",
    );
    // Nothing matched: eventFinish says which is missing, the action or its event.
    if (changed === 0) await this.eventFinish(instanceUuid, requestId, event, outcome);
  }

  /** Starts an action (one per API request and instance). */
  start(values: ActionStart): Promise<InstanceAction> {
    const now = this.d.now();
    const row = actionColumns.toRow({
      ...values,
      start_time: values.start_time ?? now,
      created_at: now,
      updated_at: now,
    });
    // One statement, no transaction; the action is what was written (no read back).
    return this.d.run(async (db) => {
      const res = await db.insertInto("instance_actions").values(row).executeTakeFirstOrThrow();
      return actionColumns.fromRow(
        written(actionColumns.columns, row, Number(res.insertId)),
      ) as InstanceAction;
    }, "InstanceAction");
  }

  /** Marks the action of this request finished. */
  finish(instanceUuid: string, requestId: string): Promise<InstanceAction> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const action = await this.byRequest(trx, instanceUuid, requestId);
      await trx
        .updateTable("instance_actions")
        .set({ finish_time: now, updated_at: now })
        .where("id", "=", action.id)
        .execute();
      return this.getAction(trx, action.id);
    }, "InstanceAction");
  }

  /** The action of one request on one instance. */
  getByRequestId(instanceUuid: string, requestId: string): Promise<InstanceAction> {
    return this.d.run((db) => this.byRequest(db, instanceUuid, requestId));
  }

  /**
   * Actions of an instance, newest first (created_at, then id), paginated by a marker action (by id, or by
   * request id as the API names actions) and filtered on updated_at (Nova's actions_get with changes-since
   * and changes-before).
   */
  list(instanceUuid: string, page: ActionPage = {}): Promise<InstanceAction[]> {
    return this.d.run(async (db) => {
      if (page.limit === 0) return [];
      let q = db
        .selectFrom("instance_actions")
        .selectAll()
        .where("instance_uuid", "=", instanceUuid)
        .where("deleted", "=", 0);
      if (page.changesSince) q = q.where("updated_at", ">=", toSqlDate(page.changesSince));
      if (page.changesBefore) q = q.where("updated_at", "<=", toSqlDate(page.changesBefore));
      if (page.marker !== undefined || page.markerRequestId !== undefined) {
        let mq = db.selectFrom("instance_actions").select(["id", "created_at"]);
        mq =
          page.markerRequestId !== undefined
            ? mq
                .where("instance_uuid", "=", instanceUuid)
                .where("request_id", "=", page.markerRequestId)
                .where("deleted", "=", 0)
            : mq.where("id", "=", page.marker!);
        const m = newest(await mq.execute());
        if (!m) throw new MarkerNotFoundError(String(page.markerRequestId ?? page.marker));
        q = q.where((eb) =>
          eb.or([
            eb("created_at", "<", m.created_at),
            eb.and([eb("created_at", "=", m.created_at), eb("id", "<", m.id)]),
          ]),
        );
      }
      q = q.orderBy("created_at", "desc").orderBy("id", "desc");
      if (page.limit !== undefined) q = q.limit(page.limit);
      return (await q.execute()).map((r) => actionColumns.fromRow(r) as InstanceAction);
    });
  }

  /** Starts an event of the request's action (InstanceActionEvent.event_start). */
  async eventStart(
    instanceUuid: string,
    requestId: string,
    event: string,
    host: string | null = null,
  ): Promise<InstanceActionEvent> {
    const now = this.d.now();
    // No transaction: the action is found, then the event insert and the action's timestamp go out side by
    // side on the pool (two round trips in series instead of five). Each statement is retried on its own,
    // so a retry never inserts the event twice.
    const action = await this.d.run((db) => this.byRequest(db, instanceUuid, requestId), "InstanceAction");
    const row = eventColumns.toRow({ event, action_id: action.id, start_time: now, host, created_at: now });
    const [res] = await Promise.all([
      this.d.run(
        (db) => db.insertInto("instance_actions_events").values(row).executeTakeFirstOrThrow(),
        "InstanceActionEvent",
      ),
      this.touch(action.id, { updated_at: toSqlDate(now) }),
    ]);
    return eventColumns.fromRow(
      written(eventColumns.columns, row, Number(res.insertId)),
    ) as InstanceActionEvent;
  }

  /**
   * Finishes the newest open event of that name (event_finish_with_failure); an Error result also records
   * the failure on the action's message, as Nova does.
   */
  async eventFinish(
    instanceUuid: string,
    requestId: string,
    event: string,
    outcome: EventFinish,
  ): Promise<InstanceActionEvent> {
    const now = toSqlDate(this.d.now());
    // The event of the request's newest action in one read; then the event and the action's timestamp
    // (and message) are written side by side on the pool.
    // The action's name and start come along (a join on its primary key) for the observer's metrics.
    const found = await this.d.run(
      async (db) => newest(await this.openEventStatement.rows(db, [instanceUuid, requestId, event])),
      "InstanceActionEvent",
    );
    if (!found) {
      // Say which is missing: the action (NotFound InstanceAction) or only its event.
      await this.getByRequestId(instanceUuid, requestId);
      throw new NotFoundError("InstanceActionEvent", `${event} of request ${requestId}`);
    }
    const { action_name: actionName, action_start_time: actionStart, ...ev } = found;
    const set = {
      finish_time: now,
      updated_at: now,
      result: outcome.result,
      traceback: outcome.traceback ?? null,
      details: outcome.details ?? null,
    };
    const actionSet: Record<string, unknown> = { updated_at: now };
    if (outcome.result === "Error") actionSet.message = "Error";
    await Promise.all([
      this.d.run(
        (db) => db.updateTable("instance_actions_events").set(set).where("id", "=", ev.id).execute(),
        "InstanceActionEvent",
      ),
      this.touch(Number(ev.action_id), actionSet),
    ]);
    // The event as it now is: the row read above with the update applied (no read back).
    const finished = eventColumns.fromRow({ ...ev, ...set }) as InstanceActionEvent;
    this.reportFinished(finished, actionName, actionStart);
    return finished;
  }

  private reportFinished(ev: InstanceActionEvent, action: unknown, actionStart: unknown): void {
    const report = this.d.observer?.instanceEventFinished;
    if (!report || !ev.finish_time) return;
    const finish = ev.finish_time.getTime();
    const started = (at: unknown) => fromSqlDate(at)?.getTime() ?? finish;
    report.call(this.d.observer, {
      action: typeof action === "string" ? action : "unknown",
      event: ev.event ?? "unknown",
      result: ev.result === "Error" ? "Error" : "Success",
      stageSeconds: Math.max(0, finish - started(ev.start_time)) / 1000,
      elapsedSeconds: Math.max(0, finish - started(actionStart)) / 1000,
    });
  }

  private async touch(actionId: number, set: Record<string, unknown>): Promise<void> {
    const onlyTime = Object.keys(set).length === 1 && "updated_at" in set;
    await this.d.run(async (db) => {
      if (onlyTime) await this.touchStatement.execute(db, [actionId, set.updated_at]);
      else await db.updateTable("instance_actions").set(set).where("id", "=", actionId).execute();
    }, "InstanceAction");
  }

  /** The events of an action, oldest first. */
  events(actionId: number): Promise<InstanceActionEvent[]> {
    return this.d.run(async (db) =>
      (
        await db
          .selectFrom("instance_actions_events")
          .selectAll()
          .where("action_id", "=", actionId)
          .where("deleted", "=", 0)
          .orderBy("id")
          .execute()
      ).map((r) => eventColumns.fromRow(r) as InstanceActionEvent),
    );
  }

  private async byRequest(db: Db, instanceUuid: string, requestId: string): Promise<InstanceAction> {
    const row = newest(await this.byRequestStatement.rows(db, [instanceUuid, requestId]));
    if (!row) throw new NotFoundError("InstanceAction", `${instanceUuid} request ${requestId}`);
    return actionColumns.fromRow(row) as InstanceAction;
  }

  private async getAction(db: Db, id: number): Promise<InstanceAction> {
    return actionColumns.fromRow(
      await db.selectFrom("instance_actions").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
    ) as InstanceAction;
  }
}

// A statement written as SQL (what the query builder cannot say: a multi-table UPDATE, INSERT ... SELECT with
// LIMIT), compiled against `db` as PreparedStatement compiles a builder.
function raw(db: Db, query: ReturnType<typeof sql>): Compilable<unknown> {
  return { compile: () => query.compile(db) };
}
