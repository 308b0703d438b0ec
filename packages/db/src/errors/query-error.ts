import { NovaDbError } from "./nova-db-error.js";

/** A sort key that is not a sortable column. */
export class InvalidSortKeyError extends NovaDbError {
  constructor(readonly key: string) {
    super("DB_INVALID_SORT_KEY", `sort key ${key} is not supported`);
  }
}

/** A pagination marker that names no row (Nova's MarkerNotFound). */
export class MarkerNotFoundError extends NovaDbError {
  constructor(readonly marker: string) {
    super("DB_MARKER_NOT_FOUND", `marker ${marker} could not be found`);
  }
}
