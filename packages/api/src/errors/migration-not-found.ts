import { ComputeBackendError } from "./compute-backend-error.js";

/** No migration with this id for the server (Nova's MigrationNotFoundForInstance). */
export class MigrationNotFoundError extends ComputeBackendError {
  /** 404 (force_complete answers it as 400, as Nova does). */
  readonly httpStatus = 404;

  /** Builds Nova's message. */
  constructor(migrationId: string | number, instanceUuid: string) {
    super("MIGRATION_NOT_FOUND", `Migration ${migrationId} not found for instance ${instanceUuid}`);
  }
}
