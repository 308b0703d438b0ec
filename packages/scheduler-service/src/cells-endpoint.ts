import type { EndpointMethod, RequestContext, RpcEndpoint } from "@nova/messaging";
import { NoValidHost, SCHEDULER_API_VERSION } from "@nova/rpcapi";
import type { HostStateCache } from "./host-state-cache.js";
import type { SchedulerManager } from "./scheduler-manager.js";

/** One cell a scheduler places into: its host states and the manager claiming in its database. */
export interface CellPlacer {
  /** The cell mapping's uuid. */
  cellUuid: string;
  /** The cell's host states. */
  cache: HostStateCache;
  /** select_destinations over them, claiming in the cell's database. */
  manager: SchedulerManager;
}

/**
 * The `scheduler` topic over several cells (a scheduler under a super conductor). A request is placed in one
 * cell, its alternates with it (as Nova's are: same cell as the chosen host); the cells are asked in turn,
 * starting one further each request so builds spread over the cells, and the next is asked when one has no
 * valid host. A compute's instance reports go to the cell that knows its host.
 */
export function cellsEndpoint(cells: readonly CellPlacer[]): RpcEndpoint {
  const endpoints = cells.map((c) => c.manager.endpoint());
  let next = 0;
  const method = (i: number, name: string): EndpointMethod => {
    const m = endpoints[i]?.methods[name];
    if (!m) throw new Error(`scheduler endpoint has no ${name}`);
    return m;
  };
  // The cell whose host states hold the host (the first cell for a host none knows yet: it re-reads it).
  const byHost =
    (name: string): EndpointMethod =>
    (ctx: RequestContext, args: Record<string, unknown>) => {
      const i = Math.max(
        0,
        cells.findIndex((c) => c.cache.knowsHost(String(args.host_name))),
      );
      return method(i, name)(ctx, args);
    };
  const everyCell =
    (name: string): EndpointMethod =>
    async (ctx: RequestContext, args: Record<string, unknown>) => {
      await Promise.all(cells.map((_, i) => method(i, name)(ctx, args)));
      return null;
    };
  return {
    version: SCHEDULER_API_VERSION,
    methods: {
      select_destinations: async (ctx: RequestContext, args: Record<string, unknown>) => {
        const start = next++ % cells.length;
        let refusal: unknown;
        for (let k = 0; k < cells.length; k++) {
          try {
            return await method((start + k) % cells.length, "select_destinations")(ctx, args);
          } catch (err) {
            if (!(err instanceof NoValidHost)) throw err;
            refusal ??= err;
          }
        }
        throw refusal;
      },
      update_instance_info: byHost("update_instance_info"),
      delete_instance_info: byHost("delete_instance_info"),
      sync_instance_info: byHost("sync_instance_info"),
      update_aggregates: everyCell("update_aggregates"),
      delete_aggregate: everyCell("delete_aggregate"),
    },
  };
}
