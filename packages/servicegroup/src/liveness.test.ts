import { describe, expect, it } from "vitest";
import { isServiceUp } from "./liveness.js";
import type { ServiceRecord } from "./service-record.js";

const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const svc = (over: Partial<ServiceRecord> = {}): ServiceRecord => ({
  host: "cpu-1",
  binary: "nova-compute",
  topic: "compute",
  forcedDown: false,
  disabled: false,
  disabledReason: null,
  reportCount: 3,
  lastSeenUp: t0,
  createdAt: t0 - 3_600_000,
  updatedAt: t0,
  ...over,
});

describe("isServiceUp", () => {
  it("is up while the last heartbeat is at most service_down_time old", () => {
    expect(isServiceUp(svc(), t0 + 59_999, 60)).toBe(true);
    expect(isServiceUp(svc(), t0 + 60_000, 60)).toBe(true);
    expect(isServiceUp(svc(), t0 + 60_001, 60)).toBe(false);
  });

  it("is down when forced down, whatever the heartbeat", () => {
    expect(isServiceUp(svc({ forcedDown: true }), t0, 60)).toBe(false);
  });

  it("falls back to created_at before the first heartbeat", () => {
    expect(isServiceUp(svc({ lastSeenUp: null, createdAt: t0 }), t0 + 30_000, 60)).toBe(true);
    expect(isServiceUp(svc({ lastSeenUp: null, createdAt: t0 }), t0 + 61_000, 60)).toBe(false);
  });

  it("counts a heartbeat in the reader's future (clock skew) as up", () => {
    expect(isServiceUp(svc({ lastSeenUp: t0 + 3_600_000 }), t0, 60)).toBe(true);
  });

  it("is not changed by the disabled flag (disabled services are up, just not scheduled to)", () => {
    expect(isServiceUp(svc({ disabled: true, disabledReason: "maintenance" }), t0 + 1_000, 60)).toBe(true);
  });
});
