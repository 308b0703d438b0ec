import { isServiceUp as isUp } from "@nova/objects";
import type { ServiceRecord } from "./service-record.js";

/** Nova's liveness rule (written once in @nova/objects) over a servicegroup record. */
export function isServiceUp(record: ServiceRecord, nowMs: number, serviceDownTimeSec: number): boolean {
  return isUp(
    { forced_down: record.forcedDown, last_seen_up: record.lastSeenUp, created_at: record.createdAt },
    nowMs,
    serviceDownTimeSec,
  );
}
