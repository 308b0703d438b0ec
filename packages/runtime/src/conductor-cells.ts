import type { CellTarget, CellTargets } from "@nova/conductor";
import { HostNotMapped } from "@nova/conductor";
import type { NovaConfig } from "@nova/config";
import { hasErrorCode, type Logger } from "@nova/core";
import type { Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import { ComputeAPI, ComputeLiveMigrationAPI, ComputeResizeAPI } from "@nova/rpcapi";
import { CellConnections } from "./cell-connections.js";
import type { NovaDatabases } from "./databases.js";
import { createTransport, messagingOptions } from "./transport.js";

/**
 * Every cell a conductor or scheduler reaches, from the cell mappings: one database pool and one transport per
 * cell (CellConnections, re-read on SIGHUP); the users below serve their own cell with the database and
 * transport they already have. Returns what closes them and stops the SIGHUP listener.
 */
export function serviceCellConnections(
  config: NovaConfig,
  deps: {
    dbs: NovaDatabases;
    logger: Logger;
    /** What the service re-reads after each SIGHUP reload (the scheduler's cells). */
    afterReload?: () => Promise<void>;
  },
): { connections: CellConnections; close(): Promise<void> } {
  const connections = new CellConnections(
    deps.dbs.apiDb,
    {
      transport: (url) =>
        createTransport({ ...config, DEFAULT: { ...config.DEFAULT, transport_url: url } }, deps.logger),
    },
    deps.logger,
  );
  const stopReload = connections.reloadOnSighup(process, deps.afterReload);
  return {
    connections,
    async close() {
      stopReload();
      await connections.close();
    },
  };
}

/**
 * The super conductor's cells (Nova's host mappings and target_cell): a host's cell from its host mapping,
 * reached over that cell's broker; unschedulable builds to cell0. A host with no mapping is Nova's
 * HostMappingNotFound, unless this conductor's own `[database]` is a real cell: then it is taken as that
 * cell's, so a one-cell deployment that never ran discover_hosts keeps building as before.
 */
export function mappedCellTargets(
  config: NovaConfig,
  deps: { dbs: NovaDatabases; transport: Transport; connections: CellConnections },
): CellTargets {
  const { dbs, connections } = deps;
  const rpc = {
    rpcResponseTimeout: messagingOptions(config).rpc_response_timeout,
    longRpcTimeout: config.DEFAULT.long_rpc_timeout,
    versionCap: config.upgrade_levels.compute,
  };
  // One pair of clients per transport: a cell whose URL changed gets a new transport, hence new clients.
  const clients = new WeakMap<
    Transport,
    { compute: ComputeAPI; resize: ComputeResizeAPI; live: ComputeLiveMigrationAPI }
  >();
  const clientsOver = (transport: Transport) => {
    let c = clients.get(transport);
    if (!c) {
      c = {
        compute: new ComputeAPI({ transport, ...rpc }),
        resize: new ComputeResizeAPI({ transport, ...rpc }),
        live: new ComputeLiveMigrationAPI({ transport, ...rpc }),
      };
      clients.set(transport, c);
    }
    return c;
  };
  const forCell = async (cellUuid: string): Promise<CellTarget> => {
    // The own cell over the transport the service already has (the same broker as its mapping names).
    const own = cellUuid === dbs.cellUuid && cellUuid !== CELL0_UUID;
    const [db, transport] = own
      ? [dbs.cellDb, deps.transport]
      : await Promise.all([connections.database(cellUuid), connections.transport(cellUuid)]);
    return { cellUuid, db, ...clientsOver(transport) };
  };
  return {
    forCell,
    forHost: async (host) => {
      try {
        const mapping = await dbs.apiDb.mappings.getHostMapping(host);
        return await forCell(mapping.cell_mapping?.uuid ?? "");
      } catch (err) {
        if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
        if (dbs.cellUuid !== CELL0_UUID) return forCell(dbs.cellUuid);
        throw new HostNotMapped(host);
      }
    },
    unschedulable: async () => ({ cellUuid: CELL0_UUID, db: dbs.cell0Db }),
    databases: async () => {
      const cells = (await connections.cells()).filter((c) => c.uuid !== CELL0_UUID);
      return Promise.all(
        cells.map((c) => (c.uuid === dbs.cellUuid ? dbs.cellDb : connections.database(c.uuid ?? ""))),
      );
    },
  };
}
