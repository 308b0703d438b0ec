import type { CellAccess } from "@nova/api-backend";
import type { NovaConfig } from "@nova/config";
import type { Logger } from "@nova/core";
import type { ApiDatabase } from "@nova/db";
import type { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeLiveMigrationAPI, ComputeResizeAPI } from "@nova/rpcapi";
import { CellConnections } from "./cell-connections.js";
import { createTransport, messagingOptions } from "./transport.js";

/**
 * nova-api's way into every cell: CellConnections (a pooled database and a transport per cell, re-read on
 * SIGHUP) with a compute RPC client per cell transport. Returns what closes it and stops the SIGHUP listener.
 */
export function apiCellAccess(
  config: NovaConfig,
  deps: { apiDb: ApiDatabase; logger: Logger },
): { access: CellAccess; close(): Promise<void> } {
  const connections = new CellConnections(
    deps.apiDb,
    {
      transport: (url) =>
        createTransport({ ...config, DEFAULT: { ...config.DEFAULT, transport_url: url } }, deps.logger),
    },
    deps.logger,
  );
  const stopReload = connections.reloadOnSighup();
  // One client per transport: a cell whose URL changed gets a new transport, hence a new client.
  const clients = new WeakMap<Transport, ComputeAPI>();
  const resizeClients = new WeakMap<Transport, ComputeResizeAPI>();
  const liveClients = new WeakMap<Transport, ComputeLiveMigrationAPI>();
  const rpcResponseTimeout = messagingOptions(config).rpc_response_timeout;
  const access: CellAccess = {
    cells: async () => (await connections.cells()).map((c) => ({ uuid: c.uuid ?? "", name: c.name ?? null })),
    database: (uuid) => connections.database(uuid),
    compute: async (uuid) => {
      const transport = await connections.transport(uuid);
      let client = clients.get(transport);
      if (!client) {
        client = new ComputeAPI({
          transport,
          rpcResponseTimeout,
          longRpcTimeout: config.DEFAULT.long_rpc_timeout,
          versionCap: config.upgrade_levels.compute,
        });
        clients.set(transport, client);
      }
      return client;
    },
    resize: async (uuid) => {
      const transport = await connections.transport(uuid);
      let client = resizeClients.get(transport);
      if (!client) {
        client = new ComputeResizeAPI({
          transport,
          rpcResponseTimeout,
          longRpcTimeout: config.DEFAULT.long_rpc_timeout,
          versionCap: config.upgrade_levels.compute,
        });
        resizeClients.set(transport, client);
      }
      return client;
    },
    live: async (uuid) => {
      const transport = await connections.transport(uuid);
      let client = liveClients.get(transport);
      if (!client) {
        client = new ComputeLiveMigrationAPI({
          transport,
          rpcResponseTimeout,
          longRpcTimeout: config.DEFAULT.long_rpc_timeout,
          versionCap: config.upgrade_levels.compute,
        });
        liveClients.set(transport, client);
      }
      return client;
    },
  };
  return {
    access,
    async close() {
      stopReload();
      await connections.close();
    },
  };
}
