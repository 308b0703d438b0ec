import { NovaDbError } from "./nova-db-error.js";

/** A row that does not exist (or is soft-deleted): InstanceNotFound, ComputeHostNotFound, ... in Nova. */
export class NotFoundError extends NovaDbError {
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super("DB_NOT_FOUND", `${entity} ${key} could not be found`);
  }
}
