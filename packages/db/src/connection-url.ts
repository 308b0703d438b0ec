import { DatabaseUrlError } from "./errors/database-url-error.js";

/** A MariaDB/MySQL server and database, from `mysql+pymysql://user:pass@host:port/db?charset=utf8`. */
export interface MysqlTarget {
  /** A MariaDB/MySQL server. */
  dialect: "mysql";
  /** Server host name or address. */
  host: string;
  /** Server port (3306 by default). */
  port: number;
  /** User name. */
  user: string;
  /** Password (empty when none). */
  password: string;
  /** Database (schema) name. */
  database: string;
  /** Query parameters as written (charset, unix_socket: connect through that socket instead of host:port, ...). */
  params: Record<string, string>;
}

/** An SQLite file, or `:memory:`. */
export interface SqliteTarget {
  /** A SQLite file. */
  dialect: "sqlite";
  /** The file's path, or `:memory:`. */
  path: string;
}

/** Where a `[database] connection` URL points. */
export type DatabaseTarget = MysqlTarget | SqliteTarget;

// SQLAlchemy dialect+driver names operators write in nova.conf for MariaDB/MySQL.
const MYSQL_SCHEMES = new Set([
  "mysql",
  "mysql+pymysql",
  "mysql+mysqldb",
  "mysql+mysqlconnector",
  "mariadb",
  "mariadb+pymysql",
  "mariadb+mysqldb",
]);

/** Parses a connection URL as nova.conf writes it; unknown schemes raise DatabaseUrlError. */
export function parseConnectionUrl(url: string): DatabaseTarget {
  const m = /^([a-z][a-z0-9+]*):\/\/(.*)$/i.exec(url.trim());
  if (!m) throw new DatabaseUrlError("DB_URL_INVALID", `not a database URL: ${redact(url)}`, redact(url));
  const scheme = (m[1] ?? "").toLowerCase();
  const rest = m[2] ?? "";
  if (scheme === "sqlite" || scheme === "sqlite+pysqlite") {
    // SQLAlchemy: sqlite:// and sqlite:///:memory: are memory; sqlite:///rel.db is relative, sqlite:////abs.db absolute.
    const path = rest.startsWith("/") ? (rest.slice(1).split("?")[0] ?? "") : (rest.split("?")[0] ?? "");
    return { dialect: "sqlite", path: path === "" || path === ":memory:" ? ":memory:" : path };
  }
  if (!MYSQL_SCHEMES.has(scheme)) {
    throw new DatabaseUrlError(
      "DB_URL_UNSUPPORTED",
      `unsupported database scheme "${scheme}" (use mysql+pymysql://, mysql:// or sqlite://)`,
      redact(url),
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(`http://${rest}`);
  } catch {
    throw new DatabaseUrlError("DB_URL_INVALID", `cannot parse database URL ${redact(url)}`, redact(url));
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database)
    throw new DatabaseUrlError("DB_URL_INVALID", `no database name in ${redact(url)}`, redact(url));
  return {
    dialect: "mysql",
    host: parsed.hostname || "localhost",
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    params: Object.fromEntries(parsed.searchParams.entries()),
  };
}

/** The URL with its password replaced, for logs and errors. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
