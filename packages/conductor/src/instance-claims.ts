import { hasErrorCode } from "@nova/core";
import type { CellDatabase, ResourceRequest } from "@nova/db";
import {
  type FlavorResources,
  type FlavorSizes,
  type Instance,
  instanceResources as instanceResourcesRule,
  resourcesFromFlavor,
} from "@nova/objects";

/** What a flavor needs on a compute node: the amounts the scheduler claims and the conductor releases. */
export function flavorResources(flavor: FlavorSizes): ResourceRequest {
  return asResourceRequest(resourcesFromFlavor(flavor));
}

/** The resources an instance holds: its flavor's (with swap), or its own columns when it has no flavor loaded. */
export function instanceResources(
  instance: Pick<Partial<Instance>, "flavor" | "vcpus" | "memory_mb" | "root_gb" | "ephemeral_gb">,
): ResourceRequest {
  return asResourceRequest(instanceResourcesRule(instance));
}

// The cell database counts DISK_GB in compute_nodes.local_gb_used.
function asResourceRequest(r: FlavorResources): ResourceRequest {
  return { vcpus: r.vcpus, memory_mb: r.memory_mb, local_gb: r.disk_gb };
}

/**
 * Gives back what an instance placed on `host`/`node` held. A node that is gone has nothing to give back;
 * returns whether something was released.
 */
export async function releaseOnNode(
  cellDb: CellDatabase,
  host: string | null | undefined,
  node: string | null | undefined,
  resources: ResourceRequest,
): Promise<boolean> {
  if (!host || !node) return false;
  try {
    const record = await cellDb.computeNodes.getByHostAndNodename(host, node);
    await cellDb.computeNodes.release(record.uuid, resources);
    return true;
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return false;
    throw err;
  }
}

/**
 * Nova's delete_allocation_for_shelve_offloaded_instance, where the claims live in the cell database: a save
 * that left the row SHELVED_OFFLOADED with no host, when it had one before, gives back what it held there. The
 * save is conditional (expected task state), so only one save makes that move and releases.
 */
export async function releaseWhenOffloaded(
  cellDb: CellDatabase,
  before: Pick<
    Partial<Instance>,
    "host" | "node" | "flavor" | "vcpus" | "memory_mb" | "root_gb" | "ephemeral_gb"
  >,
  after: Pick<Partial<Instance>, "host" | "vm_state">,
): Promise<boolean> {
  if (after.vm_state !== "shelved_offloaded" || after.host || !before.host) return false;
  return releaseOnNode(cellDb, before.host, before.node, instanceResources(before));
}
