import { hasErrorCode, type Logger } from "@nova/core";
import {
  type CellDatabase,
  type InstanceRecord,
  MIGRATION_DONE_STATUSES,
  type MigrationChanges,
  type MigrationRecord,
  type ResourceRequest,
} from "@nova/db";
import type { Instance } from "@nova/objects";
import { MigrationError } from "@nova/rpcapi";
import { flavorResources, instanceResources, releaseOnNode } from "./instance-claims.js";

/** A claim on one compute node: whose it is and how much. */
export interface NodeClaim {
  /** The compute host. */
  host: string;
  /** The node on it. */
  node: string;
  /** What is held there. */
  resources: ResourceRequest;
}

/** Whether a migration's status says the move is over (it holds nothing any more). */
export function isMigrationDone(status: string | null | undefined): boolean {
  return (MIGRATION_DONE_STATUSES as readonly (string | null | undefined)[]).includes(status);
}

/**
 * The claim a move in progress holds besides its instance's own. A move holds the source at the old size and
 * the destination at the new one; the instance row holds whichever side it names (host and flavor change in
 * one save when the destination finishes), so the migration holds the other: the destination's new size while
 * the instance is still at the source, the source's old size once it runs at the destination (the claim a
 * confirm gives back and a revert hands back to the instance). Null when a side is unknown.
 */
export function migrationHeldClaim(
  migration: Pick<
    MigrationRecord,
    | "source_compute"
    | "source_node"
    | "dest_compute"
    | "dest_node"
    | "new_instance_type_id"
    | "old_instance_type_id"
  >,
  instance: Pick<Partial<Instance>, "host" | "flavor" | "old_flavor" | "new_flavor">,
): NodeClaim | null {
  const { source_compute: src, source_node: srcNode, dest_compute: dst, dest_node: dstNode } = migration;
  const flavorId = instance.flavor?.id;
  // A same-host resize changes only the flavor; a cold migration only the host.
  const atDest =
    instance.host === dst &&
    flavorId === migration.new_instance_type_id &&
    !(instance.host === src && flavorId === migration.old_instance_type_id);
  if (atDest) {
    const old = instance.old_flavor;
    if (!src || !srcNode || !old) return null;
    return { host: src, node: srcNode, resources: flavorResources(old) };
  }
  const next = instance.new_flavor;
  if (!dst || !dstNode || !next) return null;
  return { host: dst, node: dstNode, resources: flavorResources(next) };
}

/**
 * Ends a move: saves `changes` (a status that is over) only while the migration is still in progress, then gives
 * back the claim it held, so of two steps ending the same move one releases and the other gets MigrationError.
 * `instance` is the row as the caller knows it; read from the cell when not given (gone: nothing to release,
 * the instance's destroy released for the move).
 */
export async function endMigration(
  cellDb: CellDatabase,
  migrationId: number,
  changes: MigrationChanges,
  logger: Logger,
  instance?: Pick<Partial<Instance>, "host" | "flavor" | "old_flavor" | "new_flavor">,
): Promise<MigrationRecord> {
  const current = await cellDb.migrations.get(migrationId);
  if (isMigrationDone(current.status)) {
    throw new MigrationError({ reason: `migration ${migrationId} is already ${current.status}` });
  }
  let ended: MigrationRecord;
  try {
    ended = await cellDb.migrations.update(migrationId, changes, [current.status ?? ""]);
  } catch (err) {
    if (hasErrorCode(err, "DB_UNEXPECTED_MIGRATION_STATUS")) {
      throw new MigrationError({ reason: `migration ${migrationId} moved on: ${(err as Error).message}` });
    }
    throw err;
  }
  const row = instance ?? (await instanceRow(cellDb, current.instance_uuid));
  const held = row ? migrationHeldClaim(current, row) : null;
  const released = held ? await releaseOnNode(cellDb, held.host, held.node, held.resources) : false;
  logger.info(
    { migration_id: migrationId, instance_uuid: current.instance_uuid, status: ended.status, held, released },
    "Migration ended",
  );
  return ended;
}

/**
 * What a deleted instance held, moves included: its own claim and, for each move in progress, the migration's
 * (each ended as `error`, conditionally, so a step finishing at the same moment does not release twice).
 */
export async function releaseForDestroyedInstance(
  cellDb: CellDatabase,
  before: InstanceRecord,
  logger: Logger,
): Promise<boolean> {
  for (const m of await cellDb.migrations.listInProgressByInstance(before.uuid)) {
    try {
      await endMigration(cellDb, m.id, { status: "error" }, logger, before);
    } catch (err) {
      if (!(err instanceof MigrationError)) throw err;
    }
  }
  return releaseOnNode(cellDb, before.host, before.node, instanceResources(before));
}

async function instanceRow(cellDb: CellDatabase, uuid: string | null): Promise<InstanceRecord | null> {
  if (!uuid) return null;
  try {
    return await cellDb.instances.get(uuid);
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
    throw err;
  }
}
