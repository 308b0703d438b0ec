import type { CellDatabase } from "@nova/db";
import { NovaException } from "@nova/rpcapi";

/**
 * Records why an instance failed, as Nova's add_instance_fault_from_exc does: the exception's message
 * (Nova keeps 255 characters), its code (500 unless the exception says otherwise) and optional details.
 */
export async function recordInstanceFault(
  cellDb: CellDatabase,
  instanceUuid: string,
  err: unknown,
  host: string | null,
  details: string | null = null,
): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof NovaException && typeof err.kwargs.code === "number" ? err.kwargs.code : 500;
  // The message column keeps 255 characters; a longer explanation (the scheduler's) survives in details.
  const full = details ?? (message.length > 255 ? message : null);
  await cellDb.faults.create({ instance_uuid: instanceUuid, code, message, details: full, host });
}
