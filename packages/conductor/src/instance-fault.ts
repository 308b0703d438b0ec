import type { CellDatabase } from "@nova/db";
import { instanceFaultFromError } from "@nova/objects";

/**
 * Records why an instance failed, by Nova's add_instance_fault_from_exc rule (the one nova-compute uses);
 * `details` replaces the stack when the conductor has a better explanation (the scheduler's reasons).
 */
export async function recordInstanceFault(
  cellDb: CellDatabase,
  instanceUuid: string,
  err: unknown,
  host: string | null,
  details: string | null = null,
): Promise<void> {
  await cellDb.faults.create(instanceFaultFromError(err, instanceUuid, host, details));
}
