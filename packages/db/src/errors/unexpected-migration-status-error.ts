import { NovaDbError } from "./nova-db-error.js";

/** The migration's status was no longer one of those the caller expected: another step moved it on first. */
export class UnexpectedMigrationStatusError extends NovaDbError {
  /** Builds the error naming the migration, the statuses expected and the one found. */
  constructor(
    /** The migration updated (its id). */
    readonly migrationId: number,
    /** The statuses the caller expected. */
    readonly expected: readonly string[],
    /** The status found. */
    readonly actual: string | null,
  ) {
    super(
      "DB_UNEXPECTED_MIGRATION_STATUS",
      `Unexpected migration status: expecting ${JSON.stringify(expected)} but the actual status is ${actual} (migration ${migrationId})`,
    );
  }
}
