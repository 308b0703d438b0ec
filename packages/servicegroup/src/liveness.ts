import type { ServiceRecord } from "./service-record.js";

/**
 * Nova's rule: forced down is down; otherwise a service is up when its last heartbeat (or its creation,
 * before the first) is at most service_down_time seconds old.
 *
 * One deliberate difference: Nova compares `abs(elapsed)`, so a heartbeat stamped more than
 * service_down_time in the reader's future reads as down. Such a stamp only means the reader's clock is
 * behind the conductor's; the service did report, so here it counts as up.
 */
export function isServiceUp(record: ServiceRecord, nowMs: number, serviceDownTimeSec: number): boolean {
  if (record.forcedDown) return false;
  const lastHeartbeat = record.lastSeenUp ?? record.createdAt;
  const elapsedMs = nowMs - lastHeartbeat;
  return elapsedMs <= serviceDownTimeSec * 1000;
}
