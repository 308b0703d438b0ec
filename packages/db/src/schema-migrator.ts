import { type Kysely, type Migration, Migrator } from "kysely";
import { MigrationFailedError, SchemaNewerThanCodeError } from "./errors/schema-error.js";
import { migrationsFor } from "./migrations/migration-list.js";
import type { NovaDatabase } from "./nova-database.js";

const TABLE = "nova_migrations";
const LOCK_TABLE = "nova_migrations_lock";

/** Where a database's schema stands against this code's migrations. */
export interface SchemaStatus {
  /** Which of Nova's two databases this is. */
  kind: "api" | "cell";
  /** The last applied migration, or null for an empty database. */
  current: string | null;
  /** The last migration this code knows. */
  head: string;
  /** The migrations already applied, oldest first. */
  applied: string[];
  /** The migrations this code would apply, oldest first. */
  pending: string[];
}

/** What one sync did. */
export interface SyncResult {
  /** The last migration before the sync (null for an empty database). */
  from: string | null;
  /** The last migration after it. */
  to: string | null;
  /** The migrations it applied, in order. */
  applied: string[];
}

function migrator(db: NovaDatabase): Migrator {
  const migrations = migrationsFor(db.kind, db.dialect);
  return new Migrator({
    db: db.kysely as Kysely<unknown>,
    migrationTableName: TABLE,
    migrationLockTableName: LOCK_TABLE,
    provider: { getMigrations: async () => migrations as Record<string, Migration> },
  });
}

async function appliedNames(db: NovaDatabase): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === TABLE)) return [];
  const rows = await db.kysely.selectFrom(TABLE).select("name").orderBy("name").execute();
  return rows.map((r) => String(r.name));
}

/** The schema version of a database; raises SchemaNewerThanCodeError if it holds migrations unknown here. */
export async function schemaStatus(db: NovaDatabase): Promise<SchemaStatus> {
  const known = Object.keys(migrationsFor(db.kind, db.dialect)).sort();
  const head = known[known.length - 1] ?? "";
  const applied = await appliedNames(db);
  const unknown = applied.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new SchemaNewerThanCodeError(db.kind, unknown, head);
  return {
    kind: db.kind,
    current: applied[applied.length - 1] ?? null,
    head,
    applied,
    pending: known.filter((n) => !applied.includes(n)),
  };
}

/**
 * Migrates to head (or to `target`), what `nova-manage db sync` / `api_db sync` do. Idempotent: at head it
 * applies nothing. Refuses a database migrated by newer code.
 */
export async function syncSchema(db: NovaDatabase, target?: string): Promise<SyncResult> {
  const before = await schemaStatus(db);
  const m = migrator(db);
  const { error, results } = target ? await m.migrateTo(target) : await m.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new MigrationFailedError(failed, { cause: error });
  }
  const after = await schemaStatus(db);
  return { from: before.current, to: after.current, applied };
}
