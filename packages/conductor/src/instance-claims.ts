import { hasErrorCode } from "@nova/core";
import type { CellDatabase, ResourceRequest } from "@nova/db";
import type { Instance } from "@nova/objects";

/** What a flavor needs on a compute node: the amounts the scheduler claims and the conductor releases. */
export function flavorResources(flavor: {
  vcpus?: number | null;
  memory_mb?: number | null;
  root_gb?: number | null;
  ephemeral_gb?: number | null;
}): ResourceRequest {
  return {
    vcpus: flavor.vcpus ?? 0,
    memory_mb: flavor.memory_mb ?? 0,
    local_gb: (flavor.root_gb ?? 0) + (flavor.ephemeral_gb ?? 0),
  };
}

/** The resources an instance holds: its flavor's, or its own columns when it has no flavor loaded. */
export function instanceResources(
  instance: Pick<Partial<Instance>, "flavor" | "vcpus" | "memory_mb" | "root_gb" | "ephemeral_gb">,
): ResourceRequest {
  const flavor = instance.flavor;
  if (flavor && typeof flavor.vcpus === "number") return flavorResources(flavor);
  return flavorResources(instance);
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
