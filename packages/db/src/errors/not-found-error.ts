import { NovaDbError } from "./nova-db-error.js";

/** A row that does not exist (or is soft-deleted): InstanceNotFound, ComputeHostNotFound, ... in Nova. */
export class NotFoundError extends NovaDbError {
  /** Builds "<entity> <key> could not be found". */
  constructor(
    /** What kind of row (Instance, ComputeNode, ...). */
    readonly entity: string,
    /** The key it was looked up by. */
    readonly key: string,
  ) {
    super("DB_NOT_FOUND", `${entity} ${key} could not be found`);
  }
}
