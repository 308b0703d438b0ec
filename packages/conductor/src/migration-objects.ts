import type { Logger } from "@nova/core";
import type { CellDatabase, MigrationChanges } from "@nova/db";
import { MigrationCodec, MigrationListCodec, objectChanges } from "@nova/objects";
import { MigrationError } from "@nova/rpcapi";
import { ObjectActionError } from "./errors/object-action-error.js";
import { endMigration, isMigrationDone } from "./migration-claims.js";
import { objectUpdates } from "./object-updates.js";

// Migration fields a compute may not change: identity and bookkeeping.
const MIGRATION_FIXED = new Set([
  "id",
  "uuid",
  "instance_uuid",
  "created_at",
  "updated_at",
  "deleted",
  "deleted_at",
]);

/**
 * `Migration.save()` for a compute: saves the changed fields; a status that ends the move goes through
 * endMigration (conditional, and the claim the migration held is given back once).
 */
export async function saveMigration(
  cellDb: CellDatabase,
  objinst: unknown,
  logger: Logger,
): Promise<[Record<string, unknown>, null]> {
  const migration = MigrationCodec.fromPrimitive(objinst, "objinst");
  if (typeof migration.id !== "number")
    throw new ObjectActionError("Migration.save", "the migration has no id");
  const changed = (objectChanges(migration) ?? []).filter((c) => !MIGRATION_FIXED.has(c));
  const changes: Record<string, unknown> = {};
  for (const k of changed) changes[k] = (migration as Record<string, unknown>)[k];
  const ending = "status" in changes && isMigrationDone(changes.status as string | null);
  if (
    ending &&
    changes.status === "completed" &&
    (await cellDb.migrations.get(migration.id)).status === "done"
  ) {
    // An evacuation's source, back up, has destroyed what it left behind: `done` released the claims already.
    const saved = await cellDb.migrations.update(migration.id, changes as MigrationChanges, ["done"]);
    return [objectUpdates(MigrationCodec, migration, saved), null];
  }
  const saved = ending
    ? await endMigration(cellDb, migration.id, changes as MigrationChanges, logger)
    : await saveInProgress(cellDb, migration.id, changes as MigrationChanges);
  return [objectUpdates(MigrationCodec, migration, saved), null];
}

// A step of a move that is not its end: refused once the move is over, so a late step cannot revive it.
async function saveInProgress(cellDb: CellDatabase, id: number, changes: MigrationChanges) {
  const { saved, migration } = await cellDb.migrations.updateInProgress(id, changes);
  if (!saved) throw new MigrationError({ reason: `migration ${id} is already ${migration.status}` });
  return migration;
}

/**
 * `MigrationList.get_unconfirmed_by_dest_compute(confirm_window, dest_compute)`: resizes `finished` on the host
 * and untouched for `confirm_window` seconds.
 */
export async function unconfirmedMigrations(
  cellDb: CellDatabase,
  confirmWindow: unknown,
  destCompute: string,
): Promise<unknown> {
  if (typeof confirmWindow !== "number" || !Number.isFinite(confirmWindow) || confirmWindow < 0) {
    throw new ObjectActionError(
      "MigrationList.get_unconfirmed_by_dest_compute",
      "confirm_window must be a number of seconds",
    );
  }
  const before = new Date(cellDb.db.now().getTime() - confirmWindow * 1000);
  const found = await cellDb.migrations.listByStatusUpdatedBefore("finished", before, destCompute);
  return MigrationListCodec.toPrimitive(found);
}

/**
 * `MigrationList.get_by_filters(filters)` for the filters a compute sends at start (_destroy_evacuated_instances):
 * `source_compute`, `migration_type`, and `status` as one status or a list.
 */
export async function migrationsByFilters(cellDb: CellDatabase, filters: unknown): Promise<unknown> {
  if (typeof filters !== "object" || filters === null) {
    throw new ObjectActionError("MigrationList.get_by_filters", "filters must be a dict");
  }
  const f = filters as Record<string, unknown>;
  const statuses = Array.isArray(f.status) ? f.status.map(String) : f.status ? [String(f.status)] : [];
  const found = await cellDb.migrations.list({
    ...(typeof f.source_compute === "string" ? { sourceCompute: f.source_compute } : {}),
    ...(typeof f.migration_type === "string" ? { migrationType: f.migration_type } : {}),
  });
  return MigrationListCodec.toPrimitive(
    statuses.length > 0 ? found.filter((m) => statuses.includes(m.status ?? "")) : found,
  );
}
