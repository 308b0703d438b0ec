import { hasErrorCode } from "@nova/core";
import { type ApiDatabase, type CellDatabase, NotFoundError } from "@nova/db";
import type { ComputeAPI, ComputeLiveMigrationAPI, ComputeResizeAPI } from "@nova/rpcapi";

/** One cell as the conductor reaches it: its database and RPC clients over its own broker. */
export interface CellTarget {
  /** The cell mapping's uuid (what instance mappings point at). */
  cellUuid: string;
  /** The cell's database: instances, compute nodes (and their claims), services. */
  db: CellDatabase;
  /** `compute.<host>` over the cell's broker. */
  compute: ComputeAPI;
  /** The computes' resize methods over the cell's broker. */
  resize: ComputeResizeAPI;
  /** The computes' live-migration methods over the cell's broker. */
  live: ComputeLiveMigrationAPI;
}

/**
 * How the conductor finds the cell it works in (Nova's host mappings and `target_cell`). A super conductor
 * builds into the chosen host's cell; a single-cell deployment has one answer to everything
 * ({@link singleCellTargets}).
 */
export interface CellTargets {
  /** The cell of a compute host; HostNotMapped (`HOST_NOT_MAPPED`) when no cell claims it. */
  forHost(host: string): Promise<CellTarget>;
  /** A cell by its mapping's uuid (an instance's cell: resize, migrations, live migration, evacuation, unshelve). */
  forCell(cellUuid: string): Promise<CellTarget>;
  /** Where builds that cannot be scheduled are kept: cell0, or, without one, the only cell. */
  unschedulable(): Promise<{ cellUuid: string; db: CellDatabase }>;
  /** Every cell's database (cell0 left out): where server groups' members are looked for. */
  databases(): Promise<CellDatabase[]>;
}

/** The single-cell deployment's targets: every host is in `cell`; unschedulable builds go to `cell0` if given. */
export function singleCellTargets(
  cell: CellTarget,
  cell0?: { cellUuid: string; db: CellDatabase } | undefined,
): CellTargets {
  return {
    forHost: async () => cell,
    forCell: async () => cell,
    unschedulable: async () => cell0 ?? { cellUuid: cell.cellUuid, db: cell.db },
    databases: async () => [cell.db],
  };
}

/** The cell an instance is mapped to (Nova's InstanceMapping.cell_mapping), as a target. */
export async function instanceTarget(
  apiDb: ApiDatabase,
  targets: CellTargets,
  instanceUuid: string,
): Promise<CellTarget> {
  const mapping = await apiDb.mappings.getInstanceMapping(instanceUuid);
  const cellUuid = mapping.cell_mapping?.uuid;
  if (!cellUuid) {
    // An instance not in a cell yet has nothing to move or unshelve: as far as a cell goes, it is not found.
    throw new NotFoundError("Instance", instanceUuid);
  }
  return targets.forCell(cellUuid);
}

/** Whether `err` says the host has no cell. */
export function isHostNotMapped(err: unknown): boolean {
  return hasErrorCode(err, "HOST_NOT_MAPPED");
}
