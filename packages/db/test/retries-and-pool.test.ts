import { hasErrorCode } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { sql } from "kysely";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyDbError, type RetryPolicy, withDbRetry } from "../src/db-retry.js";
import {
  type CellDatabase,
  ConnectionLostError,
  DeadlockError,
  DuplicateEntryError,
  openCellDatabase,
  RetriesExhaustedError,
} from "../src/index.js";
import { backend, migratedCell } from "./test-backend.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Leaves out tests that only make sense on the other backend (rather than reporting them skipped). */
const itNotRegistered = (..._args: Parameters<typeof it>) => undefined;

describe(`retries and pools (${backend})`, () => {
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("retries");
    cell = ctx.cell;
    await cell.db.kysely.schema
      .createTable("counters")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("n", "integer")
      .execute();
    await cell.db.kysely
      .insertInto("counters")
      .values([
        { id: 1, n: 0 },
        { id: 2, n: 0 },
      ])
      .execute();
  });
  afterAll(async () => ctx.dispose());

  it("retries a whole transaction that hit a real transient engine error, and both writers land", async () => {
    let attempts = 0;
    if (backend === "mariadb") {
      // Two transactions lock rows 1 and 2, then each wants the other's: InnoDB kills one with 1213.
      const aLocked = deferred();
      const bLocked = deferred();
      const txn = (
        first: number,
        second: number,
        mine: ReturnType<typeof deferred>,
        theirs: ReturnType<typeof deferred>,
      ) =>
        cell.db.transaction(async (trx) => {
          attempts++;
          await trx.updateTable("counters").set({ n: sql`n + 1` }).where("id", "=", first).execute();
          mine.resolve();
          await theirs.promise;
          await trx.updateTable("counters").set({ n: sql`n + 1` }).where("id", "=", second).execute();
        });
      await Promise.all([txn(1, 2, aLocked, bLocked), txn(2, 1, bLocked, aLocked)]);
    } else {
      // A reads in a transaction; another connection commits a write; A's write then fails with SQLITE_BUSY.
      const other = openCellDatabase(ctx.url);
      try {
        let first = true;
        await cell.db.transaction(async (trx) => {
          attempts++;
          await trx.selectFrom("counters").selectAll().execute();
          if (first) {
            first = false;
            await other.db.kysely.updateTable("counters").set({ n: sql`n + 1` }).execute();
          }
          await trx.updateTable("counters").set({ n: sql`n + 1` }).execute();
        });
      } finally {
        await other.close();
      }
    }
    // MariaDB: two transactions, one of them the deadlock victim run again; SQLite: one transaction run twice.
    expect(attempts).toBe(backend === "mariadb" ? 3 : 2);
    const rows = await cell.db.kysely.selectFrom("counters").select("n").orderBy("id").execute();
    expect(rows.map((r) => Number(r.n))).toEqual([2, 2]);
  });

  (backend === "mariadb" ? it : itNotRegistered)(
    "survives a connection killed mid-transaction (MariaDB only)",
    async () => {
      const killer = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
      try {
        let attempts = 0;
        const result = await cell.db.transaction(async (trx) => {
          attempts++;
          const { rows } = await (await import("kysely")).sql<{
            id: number;
          }>`SELECT CONNECTION_ID() AS id`.execute(trx);
          if (attempts === 1) await killer.query(`KILL ${Number(rows[0]?.id)}`);
          return trx.selectFrom("counters").select("n").where("id", "=", 1).executeTakeFirstOrThrow();
        });
        expect(attempts).toBe(2);
        expect(Number(result.n)).toBeGreaterThanOrEqual(0);
      } finally {
        await killer.end();
      }
    },
  );

  (backend === "mariadb" ? it : itNotRegistered)(
    "never opens more than max_pool_size + max_overflow connections (MariaDB only)",
    async () => {
      const small = openCellDatabase({ connection: ctx.url, max_pool_size: 2, max_overflow: 1 });
      try {
        const ids = await Promise.all(
          Array.from({ length: 12 }, () =>
            sql<{ id: number }>`SELECT CONNECTION_ID() AS id, SLEEP(0.05) AS s`
              .execute(small.db.kysely)
              .then((r) => Number(r.rows[0]?.id)),
          ),
        );
        const distinct = new Set(ids).size;
        expect(distinct).toBeLessThanOrEqual(3);
        expect(distinct).toBeGreaterThanOrEqual(2);
      } finally {
        await small.close();
      }
    },
  );

  (backend === "mariadb" ? it : itNotRegistered)(
    "warm() opens max_pool_size connections, which later queries reuse (MariaDB only)",
    async () => {
      const fresh = openCellDatabase({ connection: ctx.url, max_pool_size: 3, max_overflow: 2 });
      try {
        const { rows: before } = await sql<{
          n: number;
        }>`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE()`.execute(
          cell.db.kysely,
        );
        await fresh.db.warm();
        const { rows: after } = await sql<{
          n: number;
        }>`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE()`.execute(
          cell.db.kysely,
        );
        expect(Number(after[0]?.n) - Number(before[0]?.n)).toBe(3);
        // Three queries at once find three idle connections: no new one is opened.
        await Promise.all(Array.from({ length: 3 }, () => sql`SELECT SLEEP(0.01)`.execute(fresh.db.kysely)));
        const { rows: reused } = await sql<{
          n: number;
        }>`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE()`.execute(
          cell.db.kysely,
        );
        expect(Number(reused[0]?.n)).toBe(Number(after[0]?.n));
      } finally {
        await fresh.close();
      }
    },
  );

  (backend === "mariadb" ? it : itNotRegistered)(
    "connects through ?unix_socket= (pymysql's parameter) instead of host:port (MariaDB only)",
    async () => {
      const { rows } = await sql<{ socket: string }>`SELECT @@socket AS socket`.execute(cell.db.kysely);
      const socket = rows[0]!.socket;
      // A port nothing listens on: only the socket can answer.
      const url = new URL(ctx.url.replace(/^mysql\+pymysql:/, "http:"));
      url.port = "1";
      url.searchParams.set("unix_socket", socket);
      const viaSocket = openCellDatabase({ connection: url.href.replace(/^http:/, "mysql+pymysql:") });
      try {
        const { rows: conn } = await sql<{
          db: string;
          tcp: number;
        }>`SELECT DATABASE() AS db, COUNT(*) AS tcp FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID() AND HOST LIKE '%:%'`.execute(
          viaSocket.db.kysely,
        );
        expect(conn[0]?.db).toBe(new URL(url.href).pathname.slice(1));
        expect(Number(conn[0]?.tcp)).toBe(0); // a TCP client's HOST is "addr:port"; the socket's is "localhost"
      } finally {
        await viaSocket.close();
      }
    },
  );

  it("bounds retries, then raises a typed error carrying the last failure", async () => {
    const clock = new FakeClock(0);
    const policy: RetryPolicy = {
      maxRetries: 3,
      intervalSeconds: 1,
      incInterval: true,
      maxIntervalSeconds: 3,
    };
    const callTimes: number[] = [];
    const failing = withDbRetry(policy, clock, async () => {
      callTimes.push(clock.now());
      throw Object.assign(new Error("Deadlock found when trying to get lock"), {
        errno: 1213,
        code: "ER_LOCK_DEADLOCK",
      });
    }).catch((e: unknown) => e);
    await clock.advance(60_000);
    const err = await failing;
    // oslo.db's wrap_db_retry: db_retry_interval, then doubled (1 s, 2 s), capped at db_max_retry_interval (3 s).
    expect(callTimes).toEqual([0, 1000, 3000, 6000]);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).last).toBeInstanceOf(DeadlockError);
    expect(hasErrorCode(err, "DB_RETRIES_EXHAUSTED")).toBe(true);
    let flaky = 0;
    const recovering = withDbRetry(policy, clock, async () => {
      if (flaky++ < 2)
        throw Object.assign(new Error("Connection lost"), { code: "PROTOCOL_CONNECTION_LOST" });
      return "ok";
    });
    await clock.advance(60_000);
    expect(await recovering).toBe("ok");
  });

  it("waits as the [database] retry options say: a fixed interval without db_inc_retry_interval", async () => {
    const clock = new FakeClock(0);
    const fixed = openCellDatabase(
      {
        connection: "sqlite://",
        db_max_retries: 2,
        db_retry_interval: 5,
        db_inc_retry_interval: false,
        db_max_retry_interval: 1,
      },
      { clock },
    );
    try {
      expect(fixed.db.retryPolicy).toEqual({
        maxRetries: 2,
        intervalSeconds: 5,
        incInterval: false,
        maxIntervalSeconds: 1,
      });
      const callTimes: number[] = [];
      const failing = fixed.db
        .run(async () => {
          callTimes.push(clock.now());
          throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
        })
        .catch((e: unknown) => e);
      await clock.advance(60_000);
      expect(await failing).toBeInstanceOf(RetriesExhaustedError);
      // Not doubled, and the first wait is db_retry_interval even above db_max_retry_interval, as in oslo.db.
      expect(callTimes).toEqual([0, 5000, 10_000]);
    } finally {
      await fixed.close();
    }
  });

  it("classifies engine errors: duplicates are not retried", async () => {
    expect(classifyDbError(Object.assign(new Error("x"), { errno: 2013 }))).toBeInstanceOf(
      ConnectionLostError,
    );
    expect(classifyDbError(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBeInstanceOf(
      DeadlockError,
    );
    const dup = await cell.db
      .run((db) => db.insertInto("counters").values({ id: 1, n: 0 }).execute(), "Counter")
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DuplicateEntryError);
    expect((dup as DuplicateEntryError).isRetryable).toBe(false);
  });
});
