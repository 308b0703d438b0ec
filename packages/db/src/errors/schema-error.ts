import { NovaDbError } from "./nova-db-error.js";

/** The database was migrated by newer code than this: running against it could corrupt data. */
export class SchemaNewerThanCodeError extends NovaDbError {
  /** Builds the error naming the database, the migrations it does not know and its own head. */
  constructor(
    /** Which database. */
    readonly database: "api" | "cell",
    /** Its migrations this code does not know. */
    readonly unknownMigrations: readonly string[],
    /** The last migration this code knows. */
    readonly codeHead: string,
  ) {
    super(
      "DB_SCHEMA_NEWER_THAN_CODE",
      `${database} database has migrations this code does not know (${unknownMigrations.join(", ")}); code head is ${codeHead}. Upgrade the code first.`,
    );
  }
}

/** A migration failed; the schema is at the last migration that succeeded. */
export class MigrationFailedError extends NovaDbError {
  /** Builds the error naming the failed migration; `cause` is the driver's error. */
  constructor(
    /** The migration that failed. */
    readonly migration: string,
    options?: { cause?: unknown },
  ) {
    super(
      "DB_MIGRATION_FAILED",
      `migration ${migration} failed: ${String((options?.cause as Error)?.message ?? options?.cause)}`,
      false,
      options,
    );
  }
}
