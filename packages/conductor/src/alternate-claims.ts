import { type Clock, errorMessage } from "@nova/core";
import { type CellDatabase, NovaDbError, type ResourceRequest } from "@nova/db";
import type { Selection } from "@nova/objects";
import { isComputeUp, type ServiceIsUp } from "./compute-liveness.js";

/** What walking the alternates reads: the cell's services and compute nodes, and the liveness rule's inputs. */
export interface AlternateClaimDeps {
  /** The cell whose compute nodes are claimed. */
  cellDb: CellDatabase;
  /** Liveness is judged at this clock's now. */
  clock: Clock;
  /** `service_down_time`, in seconds. */
  serviceDownTime: number;
  /** The servicegroup driver's liveness when `servicegroup_driver` names a plug-in; the heartbeat stamps otherwise. */
  serviceIsUp?: ServiceIsUp | undefined;
}

/**
 * Nova's reschedule to an alternate host (builds and moves alike): the next alternate whose compute is up and
 * whose node can still take `resources`, claimed; why each skipped one was skipped goes to `reasons`.
 * Undefined when none is left.
 */
export async function claimNextAlternate(
  deps: AlternateClaimDeps,
  alternates: Selection[],
  resources: ResourceRequest,
  reasons: string[],
): Promise<Selection | undefined> {
  const { cellDb, clock, serviceDownTime, serviceIsUp } = deps;
  for (let alt = alternates.shift(); alt; alt = alternates.shift()) {
    if (!(await isComputeUp(cellDb, alt.service_host, clock.now(), serviceDownTime, serviceIsUp))) {
      reasons.push(`${alt.service_host}: the compute service is down`);
      continue;
    }
    try {
      await cellDb.computeNodes.claim(alt.compute_node_uuid, resources);
      return alt;
    } catch (err) {
      if (!NovaDbError.isInstance(err)) throw err;
      reasons.push(`${alt.service_host}: ${errorMessage(err)}`);
    }
  }
  return undefined;
}
