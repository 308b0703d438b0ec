import { type Clock, systemClock } from "@nova/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, type LogEvent, MysqlDialect, SqliteDialect, sql } from "kysely";
import { createPool } from "mysql2";
import { type DatabaseTarget, parseConnectionUrl } from "./connection-url.js";
import type { DatabaseObserver } from "./database-observer.js";
import { type DatabaseOptions, parseDatabaseOptions } from "./database-options.js";
import { type RetryPolicy, withDbRetry } from "./db-retry.js";
import { sqliteRegexp } from "./regex-filter.js";

/** Which of Nova's two databases a handle is: the API database, or a cell database (cell0 included). */
export type DatabaseKind = "api" | "cell";

/** Our tables, loosely typed for Kysely: typed values come from each repository's column mapping. */
// biome-ignore lint/suspicious/noExplicitAny: rows are converted and typed by the repositories' column maps
export type LooseSchema = Record<string, Record<string, any>>;

/** A Kysely handle on one of our databases (a transaction, or the pool itself). */
export type Db = Kysely<LooseSchema>;

/** What a database handle needs besides its options: all optional, all injectable. */
export interface DatabaseDeps {
  /** The clock that stamps created_at/updated_at/heartbeats and times the waits between retries. */
  clock?: Clock;
  /** Called with every SQL statement executed (query counting in tests, debug logging). */
  onQuery?: (sql: string) => void;
  /** Told of repository calls, pool use and finished instance events (metrics); none by default. */
  observer?: DatabaseObserver;
}

/** An open API or cell database: a bounded pool, the dialect, retries, and the injected clock. */
export class NovaDatabase {
  /** Which engine the connection URL names. */
  readonly dialect: "mysql" | "sqlite";
  /** Stamps rows and times retries. */
  readonly clock: Clock;
  /** The `[database]` retry options, from `options`. */
  readonly retryPolicy: RetryPolicy;
  /** Where repository calls and instance events are reported, if anywhere. */
  readonly observer: DatabaseObserver | undefined;

  /**
   * Wraps an open Kysely instance; `openDatabase`, `openApiDatabase` and `openCellDatabase` build one from a
   * URL.
   */
  constructor(
    /** API or cell database: which migrations apply. */
    readonly kind: DatabaseKind,
    /** The parsed `[database] connection` URL. */
    readonly target: DatabaseTarget,
    /** The Kysely query builder every repository writes through. */
    readonly kysely: Db,
    /** The `[database]` options it was opened with (pool size, retries). */
    readonly options: DatabaseOptions,
    deps: DatabaseDeps,
  ) {
    this.dialect = target.dialect;
    this.clock = deps.clock ?? systemClock;
    this.observer = deps.observer;
    this.retryPolicy = {
      maxRetries: options.db_max_retries,
      intervalSeconds: options.db_retry_interval,
      incInterval: options.db_inc_retry_interval,
      maxIntervalSeconds: options.db_max_retry_interval,
    };
  }

  /** The clock's time as a Date, for a row's timestamps. */
  now(): Date {
    return new Date(this.clock.now());
  }

  /** Runs autocommit statements; the whole function is retried on deadlock or lost connection. */
  run<T>(fn: (db: Db) => Promise<T>, entity?: string): Promise<T> {
    return withDbRetry(this.retryPolicy, this.clock, () => fn(this.kysely), entity);
  }

  /** Runs `fn` in one transaction; the whole transaction is retried on deadlock or lost connection. */
  transaction<T>(fn: (trx: Db) => Promise<T>, entity?: string): Promise<T> {
    return withDbRetry(this.retryPolicy, this.clock, () => this.kysely.transaction().execute(fn), entity);
  }

  /**
   * Opens the pool's `max_pool_size` connections now (they stay idle in the pool), so the first requests
   * after a start do not each pay a TCP connect and a MariaDB handshake. SQLite has its one connection.
   */
  async warm(): Promise<void> {
    if (this.dialect !== "mysql") return;
    // Held until every one is open, they are distinct connections (one released early would be taken again);
    // released, they stay (maxIdle is max_pool_size). A failure lets the others go at once.
    const count = this.options.max_pool_size;
    let opened = 0;
    let letGo!: () => void;
    const allOpen = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    await Promise.all(
      Array.from({ length: count }, () =>
        this.kysely
          .connection()
          .execute(async (db) => {
            await sql`SELECT 1`.execute(db);
            if (++opened === count) letGo();
            await allOpen;
          })
          .catch((err: unknown) => {
            letGo();
            throw err;
          }),
      ),
    );
  }

  /** Closes the pool (or the SQLite handle). */
  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

/**
 * Opens a database from its nova.conf options (or just a connection URL). MariaDB gets a pool of at most
 * max_pool_size + max_overflow connections keeping max_pool_size idle; SQLite gets one WAL-mode connection.
 */
export function openDatabase(
  kind: DatabaseKind,
  options: string | (Partial<DatabaseOptions> & { connection: string }),
  deps: DatabaseDeps = {},
): NovaDatabase {
  const opts = parseDatabaseOptions(typeof options === "string" ? { connection: options } : options);
  const target = parseConnectionUrl(opts.connection);
  const log = deps.onQuery ? (e: LogEvent) => deps.onQuery?.(e.query.sql) : undefined;
  const kysely =
    target.dialect === "mysql"
      ? new Kysely<LooseSchema>({
          dialect: new MysqlDialect({
            pool: observePool(
              deps.observer,
              createPool({
                // `?unix_socket=/run/mysqld/mysqld.sock`, as pymysql takes it: a local server without TCP,
                // whose round trips cost fewer cycles than loopback TCP's.
                ...(target.params.unix_socket
                  ? { socketPath: target.params.unix_socket }
                  : { host: target.host, port: target.port }),
                user: target.user,
                password: target.password,
                database: target.database,
                charset: target.params.charset === "utf8" ? "utf8mb4" : (target.params.charset ?? "utf8mb4"),
                connectionLimit: Math.max(1, opts.max_pool_size + opts.max_overflow),
                maxIdle: Math.max(1, opts.max_pool_size),
                idleTimeout: opts.connection_recycle_time * 1000,
                // Datetimes travel as UTC strings on both backends, so rows convert the same way.
                dateStrings: true,
                timezone: "Z",
                enableKeepAlive: true,
              }),
            ),
          }),
          ...(log ? { log } : {}),
        })
      : new Kysely<LooseSchema>({
          dialect: new SqliteDialect({
            database: async () => {
              const db = new BetterSqlite3(target.path);
              if (target.path !== ":memory:") {
                db.pragma("journal_mode = WAL");
                // With WAL, NORMAL never corrupts the file; a power cut may only lose the last commits.
                db.pragma("synchronous = NORMAL");
              }
              // better-sqlite3 waits synchronously: a long busy wait would stall this whole process,
              // including the transaction it waits for. Wait briefly, then let the async retry take over.
              db.pragma("busy_timeout = 100");
              db.pragma("foreign_keys = ON");
              // Nova's regex filters (`REGEXP`), on a linear-time engine: a pattern never stalls this process.
              db.function("regexp", { deterministic: true }, sqliteRegexp);
              return db;
            },
          }),
          ...(log ? { log } : {}),
        });
  return new NovaDatabase(kind, target, kysely, opts, deps);
}

// Connections checked out, counted from the pool's own events (mysql2 exposes no public gauge).
function observePool<P extends { on(event: "acquire" | "release", listener: () => void): unknown }>(
  observer: DatabaseObserver | undefined,
  pool: P,
): P {
  const report = observer?.poolConnectionsInUse?.bind(observer);
  if (!report) return pool;
  let inUse = 0;
  pool.on("acquire", () => report(++inUse));
  pool.on("release", () => report(--inUse));
  return pool;
}
