import {
  BlockDeviceMappingRepository,
  InstanceInfoCacheRepository,
} from "./cell/block-device-mapping-repository.js";
import { ComputeNodeRepository } from "./cell/compute-node-repository.js";
import { InstanceActionRepository } from "./cell/instance-action-repository.js";
import { InstanceFaultRepository } from "./cell/instance-fault-repository.js";
import { InstanceRepository } from "./cell/instance-repository.js";
import { MigrationRepository } from "./cell/migration-repository.js";
import { ServiceRepository } from "./cell/service-repository.js";
import { TagRepository } from "./cell/tag-repository.js";
import { observeRepository } from "./database-observer.js";
import type { DatabaseOptions } from "./database-options.js";
import { type DatabaseDeps, type NovaDatabase, openDatabase } from "./nova-database.js";
import { type SchemaStatus, type SyncResult, schemaStatus, syncSchema } from "./schema-migrator.js";

/** One cell database (cell0 included) and its repositories. */
export class CellDatabase {
  /** Instances (with their extra, metadata and system metadata). */
  readonly instances: InstanceRepository;
  /** Instance faults. */
  readonly faults: InstanceFaultRepository;
  /** Instance actions and their events. */
  readonly actions: InstanceActionRepository;
  /** Service rows and their heartbeats. */
  readonly services: ServiceRepository;
  /** Compute nodes and their resource claims. */
  readonly computeNodes: ComputeNodeRepository;
  /** Block device mappings. */
  readonly blockDeviceMappings: BlockDeviceMappingRepository;
  /** Instances' network info caches. */
  readonly infoCaches: InstanceInfoCacheRepository;
  /** Server tags. */
  readonly tags: TagRepository;
  /** Resizes and migrations. */
  readonly migrations: MigrationRepository;

  /** The repositories of a cell database over one open connection pool. */
  constructor(
    /** The open database the repositories share. */
    readonly db: NovaDatabase,
  ) {
    this.faults = observeRepository(new InstanceFaultRepository(db), "faults", db.observer);
    this.instances = observeRepository(new InstanceRepository(db, this.faults), "instances", db.observer);
    this.actions = observeRepository(new InstanceActionRepository(db), "actions", db.observer);
    this.services = observeRepository(new ServiceRepository(db), "services", db.observer);
    this.computeNodes = observeRepository(new ComputeNodeRepository(db), "computeNodes", db.observer);
    this.blockDeviceMappings = observeRepository(
      new BlockDeviceMappingRepository(db),
      "blockDeviceMappings",
      db.observer,
    );
    this.infoCaches = observeRepository(new InstanceInfoCacheRepository(db), "infoCaches", db.observer);
    this.tags = observeRepository(new TagRepository(db), "tags", db.observer);
    this.migrations = observeRepository(new MigrationRepository(db), "migrations", db.observer);
  }

  /** Migrates to head (`nova-manage db sync`). */
  sync(target?: string): Promise<SyncResult> {
    return syncSchema(this.db, target);
  }

  /** Current schema version against head (`nova-manage db version`). */
  status(): Promise<SchemaStatus> {
    return schemaStatus(this.db);
  }

  /** Closes the pool. */
  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens a cell database from `[database]` options (or a cell mapping's database_connection). */
export function openCellDatabase(
  options: string | (Partial<DatabaseOptions> & { connection: string }),
  deps: DatabaseDeps = {},
): CellDatabase {
  return new CellDatabase(openDatabase("cell", options, deps));
}
