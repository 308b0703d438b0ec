import type { CellAccess } from "@nova/api-backend";
import type { NovaConfig } from "@nova/config";
import type { Logger } from "@nova/core";
import { type ApiDatabase, type DatabaseObserver, openCellDatabase } from "@nova/db";
import type { Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import { ComputeAPI, ComputeLiveMigrationAPI, ComputeResizeAPI, type RpcApiOptions } from "@nova/rpcapi";
import { CellConnections } from "./cell-connections.js";
import { createTransport, messagingOptions } from "./transport.js";

/**
 * nova-api's way into every cell: CellConnections (a pooled database and a transport per cell, re-read on
 * SIGHUP) with a compute RPC client per cell transport. Returns what closes it and stops the SIGHUP listener.
 * `databaseObserver` (a process's telemetry) observes each cell's pool under the cell's name.
 */
export function apiCellAccess(
  config: NovaConfig,
  deps: {
    apiDb: ApiDatabase;
    logger: Logger;
    databaseObserver?: (database: "cell" | "cell0", cell: string) => DatabaseObserver | undefined;
  },
): { access: CellAccess; close(): Promise<void> } {
  const observe = deps.databaseObserver;
  const connections = new CellConnections(
    deps.apiDb,
    {
      ...(observe
        ? {
            database: (url, cell) => {
              // The cell's name is bounded by the deployment; a mapping without one is known by its uuid.
              const observer = observe(cell.uuid === CELL0_UUID ? "cell0" : "cell", cell.name ?? cell.uuid);
              return openCellDatabase(url, observer ? { observer } : {});
            },
          }
        : {}),
      transport: (url) =>
        createTransport({ ...config, DEFAULT: { ...config.DEFAULT, transport_url: url } }, deps.logger),
    },
    deps.logger,
  );
  const stopReload = connections.reloadOnSighup();
  const rpcOptions = {
    rpcResponseTimeout: messagingOptions(config).rpc_response_timeout,
    longRpcTimeout: config.DEFAULT.long_rpc_timeout,
    versionCap: config.upgrade_levels.compute,
  };
  // One client per transport: a cell whose URL changed gets a new transport, hence a new client.
  const clientPer = <C>(ctor: new (opts: RpcApiOptions) => C) => {
    const clients = new WeakMap<Transport, C>();
    return async (uuid: string): Promise<C> => {
      const transport = await connections.transport(uuid);
      let client = clients.get(transport);
      if (!client) {
        client = new ctor({ transport, ...rpcOptions });
        clients.set(transport, client);
      }
      return client;
    };
  };
  const access: CellAccess = {
    cells: async () => (await connections.cells()).map((c) => ({ uuid: c.uuid ?? "", name: c.name ?? null })),
    database: (uuid) => connections.database(uuid),
    compute: clientPer(ComputeAPI),
    resize: clientPer(ComputeResizeAPI),
    live: clientPer(ComputeLiveMigrationAPI),
  };
  return {
    access,
    async close() {
      stopReload();
      await connections.close();
    },
  };
}
