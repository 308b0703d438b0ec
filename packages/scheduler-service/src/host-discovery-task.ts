import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import {
  type ApiDatabase,
  type CellDatabase,
  type CellDatabaseAccess,
  discoverHosts,
  openCellDatabase,
} from "@nova/db";
import type { HostMapping } from "@nova/objects";

/** What the scheduler's periodic host discovery reads and writes. */
export interface HostDiscoveryTaskDeps {
  /** The API database, where the host mappings are written. */
  apiDb: ApiDatabase;
  /** This scheduler's own cell database, used for its cell instead of a second pool. */
  cellDb: CellDatabase;
  /** Pooled access to every cell's database (the runtime's registry); without it each run opens and closes. */
  cellDatabases?: CellDatabaseAccess | undefined;
  /** `[scheduler] discover_hosts_in_cells_interval`, in seconds; <= 0 disables the task. */
  intervalSeconds: number;
  clock: Clock;
  logger: Logger;
  /** Told of the hosts each run mapped (the scheduler re-reads its cells when one is in a cell it lacks). */
  onMapped?: ((mapped: readonly HostMapping[]) => Promise<void>) | undefined;
}

/**
 * Nova's scheduler periodic `_discover_hosts_in_cells`: maps the compute hosts new to any cell, every
 * `discover_hosts_in_cells_interval` seconds. A host mapped meanwhile by nova-manage (or another scheduler)
 * fails the run, which is logged and retried at the next spacing, as Nova does.
 */
export function hostDiscoveryTask(deps: HostDiscoveryTaskDeps): PeriodicTask {
  const ownConnection = deps.cellDb.db.options.connection;
  const inCell: CellDatabaseAccess =
    deps.cellDatabases ??
    (async (cell, fn) => {
      if (cell.database_connection === ownConnection) return fn(deps.cellDb);
      const db = openCellDatabase({ connection: cell.database_connection });
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    });
  return new PeriodicTask(
    {
      name: "discover_hosts_in_cells",
      spacingMs: deps.intervalSeconds > 0 ? deps.intervalSeconds * 1000 : null,
    },
    async () => {
      const mapped = await discoverHosts(deps.apiDb, inCell);
      if (mapped.length > 0) {
        deps.logger.info(
          { hosts: mapped.map((m) => `${m.host}:${m.cell_mapping.uuid}`) },
          "discovered new hosts in cells",
        );
        await deps.onMapped?.(mapped);
      }
    },
    deps.clock,
    deps.logger,
  );
}
