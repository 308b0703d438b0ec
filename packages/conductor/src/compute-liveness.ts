import { hasErrorCode } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import { isServiceUp } from "@nova/objects";

/**
 * Whether nova-compute on `host` is up by the servicegroup rules (forced down is down; otherwise heard
 * from within service_down_time). A host with no service row is down: nothing would answer it.
 */
export async function isComputeUp(
  cellDb: CellDatabase,
  host: string,
  nowMs: number,
  serviceDownTimeSec: number,
): Promise<boolean> {
  try {
    return isServiceUp(await cellDb.services.getByComputeHost(host), nowMs, serviceDownTimeSec);
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return false;
    throw err;
  }
}
