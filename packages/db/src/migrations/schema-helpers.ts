import { type CreateTableBuilder, type Kysely, sql } from "kysely";

/** Which SQL dialect a migration runs on: the only place the schema differs (big text columns). */
export type SqlDialect = "mysql" | "sqlite";

/** One migration: applied in name order, never edited once released. */
export interface NovaMigration {
  up(db: Kysely<unknown>): Promise<void>;
}

/** A text column big enough for request specs and build requests (MEDIUMTEXT on MariaDB). */
export function bigText(dialect: SqlDialect) {
  return dialect === "mysql" ? sql`mediumtext` : sql`text`;
}

/** id: the auto-increment integer primary key every Nova table has. */
export function withId<T extends string>(tb: CreateTableBuilder<T, never>) {
  return tb.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement().notNull());
}

/** created_at / updated_at (NovaTimestampObject). */
export function withTimestamps<T extends string, C extends string>(tb: CreateTableBuilder<T, C>) {
  return tb.addColumn("created_at", "datetime").addColumn("updated_at", "datetime");
}

/**
 * created_at / updated_at / deleted_at / deleted (NovaPersistentObject). `deleted` is 0 while the row
 * lives and its own id once soft-deleted, so unique keys that include it let a name be reused.
 */
export function withSoftDelete<T extends string, C extends string>(tb: CreateTableBuilder<T, C>) {
  return withTimestamps(tb)
    .addColumn("deleted_at", "datetime")
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0));
}
