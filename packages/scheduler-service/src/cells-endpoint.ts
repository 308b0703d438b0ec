import type { EndpointMethod, RequestContext, RpcEndpoint } from "@nova/messaging";
import { NoValidHost, SCHEDULER_API_VERSION } from "@nova/rpcapi";
import type { HostStateCache } from "./host-state-cache.js";
import type { SchedulerManager } from "./scheduler-manager.js";
import { CellNotAnsweringError } from "./scheduler-service-error.js";

/** One cell a scheduler places into: its host states and the manager claiming in its database. */
export interface CellPlacer {
  /** The cell mapping's uuid. */
  cellUuid: string;
  /** The cell's host states. */
  cache: HostStateCache;
  /** select_destinations over them, claiming in the cell's database. */
  manager: SchedulerManager;
  /**
   * Whether the cell's database answered its last host state poll (Nova skips the hosts of a cell whose
   * computes could not be read in time). Absent: always asked.
   */
  health?: CellHealth;
}

/** Whether a cell's database answers, as the scheduler last saw it; shared by the poll and the endpoint. */
export interface CellHealth {
  /** False from a poll or placement that timed out or failed until the next poll that succeeds. */
  answering: boolean;
}

/**
 * The `scheduler` topic over several cells (a scheduler under a super conductor). A request is placed in one
 * cell, its alternates with it (as Nova's are: same cell as the chosen host); the cells are asked in turn,
 * starting one further each request so builds spread over the cells, and the next is asked when one has no
 * valid host. A cell whose database does not answer (its last poll failed, or a placement in it timed out:
 * CellNotAnsweringError) is passed over, so builds go to the cells that answer. A compute's instance reports go
 * to the cell that knows its host. `placers` is read on every request, so cells added or removed since (the
 * scheduler re-reading the cell mappings on SIGHUP) are served at once.
 */
export function cellsEndpoint(placers: readonly CellPlacer[] | (() => readonly CellPlacer[])): RpcEndpoint {
  const current = typeof placers === "function" ? placers : () => placers;
  const endpoints = new WeakMap<CellPlacer, RpcEndpoint>();
  let next = 0;
  const method = (placer: CellPlacer | undefined, name: string): EndpointMethod => {
    let e = placer && endpoints.get(placer);
    if (placer && !e) {
      e = placer.manager.endpoint();
      endpoints.set(placer, e);
    }
    const m = e?.methods[name];
    if (!m) throw new Error(`scheduler endpoint has no ${name}`);
    return m;
  };
  // The cell whose host states hold the host (the first cell for a host none knows yet: it re-reads it).
  const byHost =
    (name: string): EndpointMethod =>
    (ctx: RequestContext, args: Record<string, unknown>) => {
      const cells = current();
      const known = cells.find((c) => c.cache.knowsHost(String(args.host_name)));
      return method(known ?? cells[0], name)(ctx, args);
    };
  const everyCell =
    (name: string): EndpointMethod =>
    async (ctx: RequestContext, args: Record<string, unknown>) => {
      await Promise.all(current().map((c) => method(c, name)(ctx, args)));
      return null;
    };
  return {
    version: SCHEDULER_API_VERSION,
    methods: {
      select_destinations: async (ctx: RequestContext, args: Record<string, unknown>) => {
        const cells = current();
        if (cells.length === 0)
          throw new NoValidHost({ reason: "No cell answered; no host to choose from." });
        const start = next++ % cells.length;
        let refusal: unknown;
        for (let k = 0; k < cells.length; k++) {
          const placer = cells[(start + k) % cells.length]!;
          const health = placer.health;
          if (health && !health.answering) continue;
          try {
            return await method(placer, "select_destinations")(ctx, args);
          } catch (err) {
            if (CellNotAnsweringError.isInstance(err)) {
              if (health) health.answering = false; // until a poll of it succeeds
              continue;
            }
            if (!(err instanceof NoValidHost)) throw err;
            refusal ??= err;
          }
        }
        // Every cell is down or passed over: no host to choose from.
        throw refusal ?? new NoValidHost({ reason: "No cell answered; no host to choose from." });
      },
      update_instance_info: byHost("update_instance_info"),
      delete_instance_info: byHost("delete_instance_info"),
      sync_instance_info: byHost("sync_instance_info"),
      update_aggregates: everyCell("update_aggregates"),
      delete_aggregate: everyCell("delete_aggregate"),
    },
  };
}
