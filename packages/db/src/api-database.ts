import type { QuotaResource } from "@nova/objects";
import { AggregateRepository } from "./api/aggregate-repository.js";
import { BuildRequestRepository, RequestSpecRepository } from "./api/build-request-repository.js";
import { CellMappingRepository } from "./api/cell-mapping-repository.js";
import { FlavorRepository } from "./api/flavor-repository.js";
import { KeyPairRepository } from "./api/key-pair-repository.js";
import { QuotaRepository } from "./api/quota-repository.js";
import { ServerGroupRepository } from "./api/server-group-repository.js";
import { observeRepository } from "./database-observer.js";
import type { DatabaseOptions } from "./database-options.js";
import { type DatabaseDeps, type NovaDatabase, openDatabase } from "./nova-database.js";
import { type SchemaStatus, type SyncResult, schemaStatus, syncSchema } from "./schema-migrator.js";

/** The API database and its repositories. */
export class ApiDatabase {
  /** Flavors and their extra specs and projects. */
  readonly flavors: FlavorRepository;
  /** Key pairs. */
  readonly keyPairs: KeyPairRepository;
  /** Server groups and their members. */
  readonly serverGroups: ServerGroupRepository;
  /** Quota limits and usage counts. */
  readonly quotas: QuotaRepository;
  /** Build requests: servers accepted but not yet in a cell. */
  readonly buildRequests: BuildRequestRepository;
  /** Request specs, by instance. */
  readonly requestSpecs: RequestSpecRepository;
  /** Cell, host and instance mappings. */
  readonly mappings: CellMappingRepository;
  /** Host aggregates, their hosts and metadata (availability zones). */
  readonly aggregates: AggregateRepository;

  /** The repositories of the API database over one open connection pool. */
  constructor(
    /** The open database the repositories share. */
    readonly db: NovaDatabase,
    /** The `[quota]` options: the default limits (Nova's defaults for those not given). */
    quotaDefaults: Partial<Record<QuotaResource, number>> = {},
  ) {
    this.flavors = observeRepository(new FlavorRepository(db), "flavors", db.observer);
    this.keyPairs = observeRepository(new KeyPairRepository(db), "keyPairs", db.observer);
    this.serverGroups = observeRepository(new ServerGroupRepository(db), "serverGroups", db.observer);
    this.quotas = observeRepository(new QuotaRepository(db, quotaDefaults), "quotas", db.observer);
    this.buildRequests = observeRepository(new BuildRequestRepository(db), "buildRequests", db.observer);
    this.requestSpecs = observeRepository(new RequestSpecRepository(db), "requestSpecs", db.observer);
    this.mappings = observeRepository(new CellMappingRepository(db), "mappings", db.observer);
    this.aggregates = observeRepository(new AggregateRepository(db), "aggregates", db.observer);
  }

  /** Migrates to head (`nova-manage api_db sync`). */
  sync(target?: string): Promise<SyncResult> {
    return syncSchema(this.db, target);
  }

  /** Current schema version against head (`nova-manage api_db version`). */
  status(): Promise<SchemaStatus> {
    return schemaStatus(this.db);
  }

  /** Closes the pool. */
  close(): Promise<void> {
    return this.db.close();
  }
}

/**
 * Opens the API database from `[api_database]` options or a connection URL; `quotaDefaults` are the
 * `[quota]` options its quota limits start from.
 */
export function openApiDatabase(
  options: string | (Partial<DatabaseOptions> & { connection: string }),
  deps: DatabaseDeps = {},
  quotaDefaults: Partial<Record<QuotaResource, number>> = {},
): ApiDatabase {
  return new ApiDatabase(openDatabase("api", options, deps), quotaDefaults);
}
