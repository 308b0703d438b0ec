import { describe, expect, it } from "vitest";
import { lifecycleTransitionCode, powerStateAfter } from "./lifecycle-event.js";
import { versionToInt } from "./model/available-resource.js";
import { isPowerState, PowerState, powerStateName } from "./power-state.js";

describe("power states", () => {
  it("uses Nova's numbers and names", () => {
    expect(PowerState).toEqual({ NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 });
    expect(powerStateName(PowerState.SHUTDOWN)).toBe("shutdown");
    expect(powerStateName(PowerState.NOSTATE)).toBe("pending");
    expect(isPowerState(2)).toBe(false);
    expect(isPowerState(7)).toBe(true);
    expect(isPowerState("1")).toBe(false);
  });

  it("maps lifecycle transitions as Nova's compute manager does", () => {
    expect(powerStateAfter("stopped")).toBe(PowerState.SHUTDOWN);
    expect(powerStateAfter("resumed")).toBe(PowerState.RUNNING);
    expect(lifecycleTransitionCode("started")).toBe(0);
    expect(lifecycleTransitionCode("suspended")).toBe(4);
  });

  it("encodes versions as Nova does", () => {
    expect(versionToInt("7.2.0")).toBe(7_002_000);
    expect(versionToInt("1.0")).toBe(1_000);
  });
});
