/** What the liveness rule reads from a service row (Nova's `services` columns). */
export interface ServiceHeartbeat {
  /** Set by an operator (`os-services` force-down): down whatever the heartbeats say. */
  forced_down: boolean;
  /** The last report the conductor recorded (a Date or ms since the epoch); null before the first. */
  last_seen_up: Date | number | null | undefined;
  /** When the row was created: the heartbeat to judge by before the first report. */
  created_at?: Date | number | null | undefined;
}

/**
 * Nova's servicegroup rule (nova/servicegroup/drivers/db.py DbDriver.is_up): forced down is down; otherwise
 * a service is up when its last heartbeat (or its creation, before the first) is at most
 * `service_down_time` seconds old. A row with neither was never heard from: down.
 *
 * One deliberate difference: Nova compares `abs(elapsed)`, so a heartbeat stamped more than
 * service_down_time in the reader's future reads as down. Such a stamp only means the reader's clock is
 * behind the conductor's; the service did report, so here it counts as up.
 */
export function isServiceUp(service: ServiceHeartbeat, nowMs: number, serviceDownTimeSec: number): boolean {
  if (service.forced_down) return false;
  const last = service.last_seen_up ?? service.created_at;
  if (last === null || last === undefined) return false;
  const elapsedMs = nowMs - (typeof last === "number" ? last : last.getTime());
  return elapsedMs <= serviceDownTimeSec * 1000;
}
