import type { CellDatabase } from "@nova/db";
import { type InstanceActivityObserver, instanceFaultFromError } from "@nova/objects";

/**
 * Records why an instance failed, by Nova's add_instance_fault_from_exc rule (the one nova-compute uses);
 * `details` replaces the stack when the conductor has a better explanation (the scheduler's reasons); `activity` counts it by the error's class.
 */
export async function recordInstanceFault(
  cellDb: CellDatabase,
  instanceUuid: string,
  err: unknown,
  host: string | null,
  details: string | null = null,
  activity?: InstanceActivityObserver,
): Promise<void> {
  const fault = instanceFaultFromError(err, instanceUuid, host, details);
  activity?.faultRecorded?.({ error: err, code: fault.code });
  await cellDb.faults.create(fault);
}
