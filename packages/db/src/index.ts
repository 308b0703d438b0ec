// @nova/db: Nova's API and cell databases over Kysely, on MariaDB (mysql2) and SQLite (better-sqlite3).

export {
  type AggregateCreate,
  type AggregateRecord,
  AggregateRepository,
} from "./api/aggregate-repository.js";
export {
  type BuildRequestRecord,
  BuildRequestRepository,
  RequestSpecRepository,
} from "./api/build-request-repository.js";
export {
  type CellMappingChanges,
  type CellMappingCreate,
  CellMappingRepository,
} from "./api/cell-mapping-repository.js";
/** API repositories. */
export {
  FLAVOR_SORT_KEYS,
  type FlavorCreate,
  type FlavorFilters,
  FlavorRepository,
} from "./api/flavor-repository.js";
export { type KeyPairCreate, KeyPairRepository } from "./api/key-pair-repository.js";
export { QuotaRepository, type QuotaRowSet } from "./api/quota-repository.js";
export {
  type ServerGroupCreate,
  type ServerGroupRecord,
  ServerGroupRepository,
} from "./api/server-group-repository.js";
/** Open the databases. */
export { ApiDatabase, openApiDatabase } from "./api-database.js";
export {
  type BlockDeviceMappingCreate,
  type BlockDeviceMappingRecord,
  BlockDeviceMappingRepository,
  InstanceInfoCacheRepository,
} from "./cell/block-device-mapping-repository.js";
export {
  type ClaimOptions,
  type ComputeNodeChanges,
  type ComputeNodeCreate,
  type ComputeNodeRecord,
  ComputeNodeRepository,
  type ResourceRequest,
} from "./cell/compute-node-repository.js";
export {
  type ActionPage,
  type ActionStart,
  type EventFinish,
  InstanceActionRepository,
} from "./cell/instance-action-repository.js";
export { type InstanceFaultCreate, InstanceFaultRepository } from "./cell/instance-fault-repository.js";
/** Cell repositories. */
export {
  INSTANCE_REGEX_COLUMNS,
  INSTANCE_SORT_KEYS,
  type InstanceChanges,
  type InstanceCreate,
  type InstanceExpectations,
  type InstanceFilters,
  type InstanceLoadOptions,
  type InstanceRecord,
  type InstanceRegexColumn,
  InstanceRepository,
  type InstanceSortKey,
} from "./cell/instance-repository.js";
export {
  MIGRATION_DONE_STATUSES,
  type MigrationChanges,
  type MigrationCreate,
  type MigrationFilters,
  type MigrationPage,
  type MigrationRecord,
  MigrationRepository,
} from "./cell/migration-repository.js";
export {
  type ServiceChanges,
  type ServiceCreate,
  type ServiceFilters,
  type ServiceRecord,
  ServiceRepository,
} from "./cell/service-repository.js";
export { type TagAddResult, TagRepository } from "./cell/tag-repository.js";
export { CellDatabase, openCellDatabase } from "./cell-database.js";
export {
  type DatabaseTarget,
  type MysqlTarget,
  parseConnectionUrl,
  redact,
  type SqliteTarget,
} from "./connection-url.js";
/** What a database reports for metrics: repository calls, pool use, finished instance events. */
export {
  type DatabaseObserver,
  type InstanceEventFinished,
  observeRepository,
  type RepositoryCall,
} from "./database-observer.js";
/** Configuration and URLs. */
export { type DatabaseOptions, databaseOptionsSchema, parseDatabaseOptions } from "./database-options.js";
/** The `[database]` retry options as a database applies them. */
export type { RetryPolicy } from "./db-retry.js";
export { ClaimRejectedError, GenerationConflictError } from "./errors/claim-error.js";
export { DatabaseUrlError } from "./errors/database-url-error.js";
export { DuplicateEntryError } from "./errors/duplicate-entry-error.js";
export { NotFoundError } from "./errors/not-found-error.js";
/** Errors. */
export { NovaDbError, type NovaDbErrorCode } from "./errors/nova-db-error.js";
export { InvalidSortKeyError, MarkerNotFoundError, UnsupportedRegexError } from "./errors/query-error.js";
export { MigrationFailedError, SchemaNewerThanCodeError } from "./errors/schema-error.js";
export { ConnectionLostError, DeadlockError, RetriesExhaustedError } from "./errors/transient-error.js";
export { UnexpectedMigrationStatusError } from "./errors/unexpected-migration-status-error.js";
export { UnexpectedTaskStateError, UnexpectedVmStateError } from "./errors/unexpected-state-error.js";
/** `discover_hosts`: map the compute hosts cells know (nova-manage and the scheduler's periodic task). */
export { type CellDatabaseAccess, discoverHosts, type HostDiscoveryOptions } from "./host-discovery.js";
export {
  type DatabaseDeps,
  type DatabaseKind,
  type Db,
  NovaDatabase,
  openDatabase,
} from "./nova-database.js";
/** Pagination. */
export type { PageOptions, SortDir } from "./pagination.js";
/** Nova's regex filters on a linear-time engine (what SQLite's REGEXP runs). */
export { type RegexMatcher, safeRegexMatcher } from "./regex-filter.js";
/** Migrations. */
export type { SchemaStatus, SyncResult } from "./schema-migrator.js";
