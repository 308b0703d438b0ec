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
  const saved = ending
    ? await endMigration(cellDb, migration.id, changes as MigrationChanges, logger)
    : await saveInProgress(cellDb, migration.id, changes as MigrationChanges);
  return [objectUpdates(MigrationCodec, migration, saved), null];
}

// A step of a move that is not its end: refused once the move is over, so a late step cannot revive it.
async function saveInProgress(cellDb: CellDatabase, id: number, changes: MigrationChanges) {
  const current = await cellDb.migrations.get(id);
  if (isMigrationDone(current.status)) {
    throw new MigrationError({ reason: `migration ${id} is already ${current.status}` });
  }
  return cellDb.migrations.update(id, changes, [current.status ?? ""]);
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
