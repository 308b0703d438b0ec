import { describe, expect, it } from "vitest";
import { isPowerState, POWER_STATES, PowerState, powerStateName } from "./power-state.js";

// Nova: nova/compute/power_state.py (the numbers and STATE_MAP's names).
describe("power states", () => {
  it("uses Nova's numbers and names", () => {
    expect(PowerState).toEqual({ NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 });
    expect(POWER_STATES.map(powerStateName)).toEqual([
      "pending",
      "running",
      "paused",
      "shutdown",
      "crashed",
      "suspended",
    ]);
    expect(isPowerState(2)).toBe(false);
    expect(isPowerState(5)).toBe(false);
    expect(isPowerState(7)).toBe(true);
    expect(isPowerState("1")).toBe(false);
  });
});
