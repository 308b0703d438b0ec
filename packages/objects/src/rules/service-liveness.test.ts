import { describe, expect, it } from "vitest";
import { isServiceUp, type ServiceHeartbeat } from "./service-liveness.js";

const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const svc = (over: Partial<ServiceHeartbeat> = {}): ServiceHeartbeat => ({
  forced_down: false,
  last_seen_up: t0,
  created_at: t0 - 3_600_000,
  ...over,
});

// Nova: nova/servicegroup/drivers/db.py DbDriver.is_up.
describe("isServiceUp", () => {
  it("is up while the last heartbeat is at most service_down_time old", () => {
    expect(isServiceUp(svc(), t0 + 60_000, 60)).toBe(true);
    expect(isServiceUp(svc(), t0 + 60_001, 60)).toBe(false);
    expect(isServiceUp(svc({ last_seen_up: new Date(t0) }), t0 + 60_001, 60)).toBe(false);
  });

  it("is down when forced down, whatever the heartbeat", () => {
    expect(isServiceUp(svc({ forced_down: true }), t0, 60)).toBe(false);
  });

  it("falls back to created_at before the first heartbeat, and is down with neither", () => {
    expect(isServiceUp(svc({ last_seen_up: null, created_at: new Date(t0) }), t0 + 30_000, 60)).toBe(true);
    expect(isServiceUp(svc({ last_seen_up: null, created_at: t0 }), t0 + 61_000, 60)).toBe(false);
    expect(isServiceUp(svc({ last_seen_up: null, created_at: null }), t0, 60)).toBe(false);
  });

  it("counts a heartbeat in the reader's future (clock skew) as up", () => {
    expect(isServiceUp(svc({ last_seen_up: t0 + 3_600_000 }), t0, 60)).toBe(true);
  });
});
