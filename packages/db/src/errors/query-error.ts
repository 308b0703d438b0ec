import { NovaDbError } from "./nova-db-error.js";

/** A sort key that is not a sortable column. */
export class InvalidSortKeyError extends NovaDbError {
  /** Builds the error naming the rejected key. */
  constructor(
    /** The sort key asked for. */
    readonly key: string,
  ) {
    super("DB_INVALID_SORT_KEY", `sort key ${key} is not supported`);
  }
}

/** A pagination marker that names no row (Nova's MarkerNotFound). */
export class MarkerNotFoundError extends NovaDbError {
  /** Builds Nova's "marker <id> could not be found". */
  constructor(
    /** The marker (a row's uuid) asked for. */
    readonly marker: string,
  ) {
    super("DB_MARKER_NOT_FOUND", `marker ${marker} could not be found`);
  }
}

/**
 * A regex filter this database cannot evaluate safely: on SQLite one the linear-time engine cannot express
 * (backreferences, lookaround), on MariaDB one that ran past the statement time limit.
 */
export class UnsupportedRegexError extends NovaDbError {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super(
      "DB_UNSUPPORTED_REGEX",
      `regular expression ${JSON.stringify(pattern)} is not supported: ${reason}`,
    );
  }
}
