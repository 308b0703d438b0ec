import type { Clock } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import type { ComputeAPI, ComputeLiveMigrationAPI, ComputeResizeAPI } from "@nova/rpcapi";

/** A cell as the API sees it: its uuid and name (from the cell mappings). */
export interface CellRef {
  /** The cell mapping's uuid. */
  uuid: string;
  /** The cell's name, for logs and messages naming a cell that failed. */
  name: string | null;
}

/**
 * How nova-api reaches the cells: the cell mappings and, per cell, the pooled database and a compute RPC
 * client over that cell's broker (@nova/runtime's CellConnections provides them).
 */
export interface CellAccess {
  /** Every cell, cell0 included. */
  cells(): Promise<CellRef[]>;
  /** The pooled database of a cell. */
  database(cellUuid: string): Promise<CellDatabase>;
  /** nova-compute's RPC client over the cell's transport. */
  compute(cellUuid: string): Promise<ComputeAPI>;
  /** The computes' resize client over the cell's transport (confirm and revert resize); none: unavailable. */
  resize?(cellUuid: string): Promise<ComputeResizeAPI>;
  /** The computes' live-migration client over the cell's transport (force complete, abort); none: unavailable. */
  live?(cellUuid: string): Promise<ComputeLiveMigrationAPI>;
}

/** One cell's answer to a scatter: its value, or why it has none (Nova's two sentinels). */
export type CellAnswer<T> =
  | { cell: CellRef; ok: true; value: T }
  | { cell: CellRef; ok: false; reason: "timeout" | "error"; error?: unknown };

const TIMED_OUT = Symbol("cell timed out");

/**
 * Nova's scatter_gather_cells: runs `fn` on every cell at once and waits at most `timeoutMs` for all of them;
 * a cell that does not answer in time, or fails, is reported as such rather than failing the whole request.
 */
export async function scatterGather<T>(
  cells: readonly CellRef[],
  fn: (cell: CellRef) => Promise<T>,
  options: { timeoutMs: number; clock: Clock },
): Promise<CellAnswer<T>[]> {
  let timer: { cancel(): void } | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = options.clock.setTimer(options.timeoutMs, () => resolve(TIMED_OUT), { keepAlive: false });
  });
  try {
    return await Promise.all(
      cells.map(async (cell): Promise<CellAnswer<T>> => {
        const work = Promise.resolve().then(() => fn(cell));
        // A late answer is dropped, but its failure must not surface as an unhandled rejection.
        work.catch(() => undefined);
        try {
          const value = await Promise.race([work, deadline]);
          if (value === TIMED_OUT) return { cell, ok: false, reason: "timeout" };
          return { cell, ok: true, value: value as T };
        } catch (error) {
          return { cell, ok: false, reason: "error", error };
        }
      }),
    );
  } finally {
    timer?.cancel();
  }
}

/**
 * The one-cell deployment's CellAccess: the cell database (and cell0's, when separate) and one compute client,
 * so a backend built without cell connections behaves as before.
 */
export function singleCellAccess(deps: {
  cellUuid: string;
  cellDb: CellDatabase;
  cell0Uuid: string;
  cell0Db?: CellDatabase | undefined;
  compute: ComputeAPI;
  resize?: ComputeResizeAPI | undefined;
  live?: ComputeLiveMigrationAPI | undefined;
}): CellAccess {
  const cell0 = deps.cell0Db && deps.cell0Db !== deps.cellDb ? deps.cell0Db : undefined;
  const cells: CellRef[] = [{ uuid: deps.cellUuid, name: null }];
  if (cell0) cells.push({ uuid: deps.cell0Uuid, name: "cell0" });
  return {
    cells: async () => cells,
    database: async (uuid) => (uuid === deps.cell0Uuid && cell0 ? cell0 : deps.cellDb),
    compute: async () => deps.compute,
    ...(deps.resize ? { resize: async () => deps.resize! } : {}),
    ...(deps.live ? { live: async () => deps.live! } : {}),
  };
}
