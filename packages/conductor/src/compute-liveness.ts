import { hasErrorCode } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import { isServiceUp } from "@nova/servicegroup";

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
    const s = await cellDb.services.getByComputeHost(host);
    return isServiceUp(
      {
        host: s.host ?? host,
        binary: s.binary ?? "nova-compute",
        topic: s.topic ?? "compute",
        forcedDown: s.forced_down,
        disabled: s.disabled,
        disabledReason: s.disabled_reason,
        reportCount: s.report_count,
        lastSeenUp: s.last_seen_up?.getTime() ?? null,
        createdAt: s.created_at?.getTime() ?? 0,
        updatedAt: s.updated_at?.getTime() ?? null,
      },
      nowMs,
      serviceDownTimeSec,
    );
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return false;
    throw err;
  }
}
