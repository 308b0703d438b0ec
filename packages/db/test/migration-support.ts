// Re-exports for the migration tests, plus the storage date format they insert rows with.

export { toSqlDate as toSqlDateForTest } from "../src/column-map.js";
export { NovaDbError, openApiDatabase, openCellDatabase, SchemaNewerThanCodeError } from "../src/index.js";
