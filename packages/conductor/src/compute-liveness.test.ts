import type { CellDatabase } from "@nova/db";
import { describe, expect, it } from "vitest";
import { isComputeUp } from "./compute-liveness.js";

const now = Date.parse("2026-12-07T00:00:00Z");
const row = {
  host: "cpu-1",
  binary: "nova-compute",
  topic: "compute",
  forced_down: false,
  disabled: false,
  disabled_reason: null,
  report_count: 3,
  last_seen_up: new Date(now - 5_000),
  created_at: new Date(now - 60_000),
  updated_at: new Date(now - 5_000),
};
const cellDb = { services: { getByComputeHost: async () => row } } as unknown as CellDatabase;

describe("isComputeUp", () => {
  it("judges by the heartbeat stamps, or, given a servicegroup driver's serviceIsUp, by what it says", async () => {
    expect(await isComputeUp(cellDb, "cpu-1", now, 60)).toBe(true);
    const asked: unknown[] = [];
    const down = async (s: unknown) => {
      asked.push(s);
      return false;
    };
    expect(await isComputeUp(cellDb, "cpu-1", now, 60, down)).toBe(false);
    expect(asked[0]).toMatchObject({ host: "cpu-1", topic: "compute", lastSeenUp: now - 5_000 });
  });
});
