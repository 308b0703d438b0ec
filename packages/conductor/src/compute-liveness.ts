import { hasErrorCode } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import { isServiceUp } from "@nova/objects";
import type { ServiceRecord } from "@nova/servicegroup";

/** Nova's `service_is_up` over a servicegroup driver named by `servicegroup_driver` (ServiceGroup.serviceIsUp). */
export type ServiceIsUp = (service: ServiceRecord) => Promise<boolean>;

/**
 * Whether nova-compute on `host` is up by the servicegroup rules (forced down is down; otherwise heard
 * from within service_down_time, or, with `serviceIsUp`, as the servicegroup driver says). A host with no
 * service row is down: nothing would answer it.
 */
export async function isComputeUp(
  cellDb: CellDatabase,
  host: string,
  nowMs: number,
  serviceDownTimeSec: number,
  serviceIsUp?: ServiceIsUp,
): Promise<boolean> {
  try {
    const row = await cellDb.services.getByComputeHost(host);
    if (!serviceIsUp) return isServiceUp(row, nowMs, serviceDownTimeSec);
    return await serviceIsUp({
      host: row.host ?? host,
      binary: row.binary ?? "nova-compute",
      topic: row.topic ?? "compute",
      forcedDown: row.forced_down,
      disabled: row.disabled,
      disabledReason: row.disabled_reason,
      reportCount: row.report_count,
      lastSeenUp: row.last_seen_up?.getTime() ?? null,
      createdAt: row.created_at?.getTime() ?? 0,
      updatedAt: row.updated_at?.getTime() ?? null,
    });
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return false;
    throw err;
  }
}
