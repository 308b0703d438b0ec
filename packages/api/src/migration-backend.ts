import type { Migration } from "@nova/objects";
import type { RequestContext } from "./request-context.js";

/** A migration as the API shows it (Nova's Migration object). */
export type MigrationRecord = Partial<Migration> & Pick<Migration, "id" | "uuid">;

/** The os-migrations filters and paging (nova/api/openstack/compute/migrations.py). */
export interface MigrationQuery {
  /** Migrations from or to this host. */
  host?: string;
  /** Only this status. */
  status?: string;
  /** Only this server's. */
  instanceUuid?: string;
  /** Only this type (`migration`, `resize`, `live-migration`, `evacuation`). */
  migrationType?: string;
  /** Only this source compute. */
  sourceCompute?: string;
  /** Only those updated at or after this time (2.59). */
  changesSince?: Date;
  /** Only those updated at or before this time (2.66). */
  changesBefore?: Date;
  /** Only this user's (2.80). */
  userId?: string;
  /** Only this project's (2.80). */
  projectId?: string;
  /** At most this many (2.59). */
  limit?: number;
  /** The uuid of the last migration of the previous page (2.59). */
  marker?: string;
}

/** What os-migrateLive asks for, once its microversion's form is read. */
export interface LiveMigrateSpec {
  /** The destination, or null to let the scheduler pick. */
  host: string | null;
  /** True, false, or null for `auto` (2.25). */
  blockMigration: boolean | null;
  /** Before 2.25 only. */
  diskOverCommit: boolean | null;
  /** 2.30 to 2.67: skip the scheduler's filters for `host`. */
  force: boolean;
}

/** What evacuate asks for, once its microversion's form is read. */
export interface EvacuateSpec {
  /** The destination, or null to let the scheduler pick. */
  host: string | null;
  /** The admin password of the rebuilt guest. */
  adminPass: string | null;
  /** Before 2.14 only. */
  onSharedStorage: boolean | null;
  /** 2.29 to 2.67: skip the scheduler's filters for `host`. */
  force: boolean;
}

/**
 * Resize and cold migration (Nova's compute API resize, confirm_resize, revert_resize) and the migration
 * records. Methods throw InstanceNotFoundError, InstanceInvalidStateError (409), InvalidRequestError (400:
 * unknown flavor, same flavor, unknown host, no finished migration) and InstanceIsLockedError.
 */
export interface MigrationBackend {
  /** Starts a resize to `flavorId` (202): task resize_prep, action `resize`, migrate_server cast. */
  resizeServer(ctx: RequestContext, uuid: string, flavorId: string): Promise<void>;
  /** Starts a cold migration, to `host` when given (2.56), else where the scheduler picks. */
  migrateServer(ctx: RequestContext, uuid: string, host: string | null): Promise<void>;
  /** Keeps a finished resize: the migration `confirming`, confirm_resize cast to the source. */
  confirmResize(ctx: RequestContext, uuid: string): Promise<void>;
  /** Undoes a finished resize: task resize_reverting, the migration `reverting`, revert_resize cast. */
  revertResize(ctx: RequestContext, uuid: string): Promise<void>;
  /** Starts a live migration (202): task migrating, action `live-migration`, live_migrate_instance cast. */
  liveMigrateServer(ctx: RequestContext, uuid: string, spec: LiveMigrateSpec): Promise<void>;
  /**
   * Makes a running live migration finish now (2.22). MigrationNotFoundError, InvalidRequestError when it is not
   * `running`, InstanceInvalidStateError when the server is not migrating.
   */
  forceCompleteLiveMigration(ctx: RequestContext, uuid: string, migrationId: number): Promise<void>;
  /**
   * Aborts a live migration (2.24): `running` ones, and from 2.65 (`abortQueued`) `queued` and `preparing` ones
   * too; the errors of forceCompleteLiveMigration.
   */
  abortLiveMigration(
    ctx: RequestContext,
    uuid: string,
    migrationId: number,
    abortQueued: boolean,
  ): Promise<void>;
  /**
   * Rebuilds the server elsewhere because its host is down (202): InvalidRequestError (400) when its compute
   * service is still up; task rebuilding, action `evacuate`, an `evacuation` migration, rebuild_instance cast
   * to the conductor.
   */
  evacuateServer(ctx: RequestContext, uuid: string, spec: EvacuateSpec): Promise<void>;
  /** os-migrations: newest first; MarkerNotFoundError for an unknown marker. */
  listMigrations(ctx: RequestContext, query: MigrationQuery): Promise<MigrationRecord[]>;
  /** A server's moves in progress of one type (the server migrations API lists live migrations). */
  listServerMigrations(ctx: RequestContext, uuid: string, migrationType: string): Promise<MigrationRecord[]>;
}
