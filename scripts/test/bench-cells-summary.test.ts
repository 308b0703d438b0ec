// bench/cells is not part of the suite (it runs for minutes on real services); its options and arithmetic are.
import { describe, expect, it } from "vitest";
import {
  parseCellsBenchArgs,
  percentile,
  ratePerSecond,
  type StepResult,
  scalingRatio,
  splitHosts,
  stepFigures,
} from "../../bench/cells/summary.js";

const step = (offered: number, times: number[], extra: Partial<StepResult> = {}): StepResult => ({
  offered,
  posted: times.length,
  timesToActive: times,
  errors: 0,
  unfinished: 0,
  wallSeconds: times.length / offered,
  ...extra,
});

describe("bench/cells options", () => {
  it("defaults to 2,000 hosts in 1 then 4 cells, and reads a small run", () => {
    const d = parseCellsBenchArgs([]);
    expect(d).toMatchObject({ hosts: 2000, layouts: [1, 4], seconds: 30, p95Bound: 5 });
    const small = parseCellsBenchArgs(["--hosts", "200", "--rate", "12", "--layouts", "4"]);
    expect(small).toMatchObject({ hosts: 200, layouts: [4], rates: [12] });
  });

  it("keeps whole logs only when --log-dir names a directory", () => {
    expect(parseCellsBenchArgs([]).logDir).toBeUndefined();
    expect(parseCellsBenchArgs(["--log-dir", "/tmp/cells-logs"]).logDir).toBe("/tmp/cells-logs");
    expect(parseCellsBenchArgs(["--log-dir", ""]).logDir).toBeUndefined();
  });

  it("names the bad option", () => {
    expect(() => parseCellsBenchArgs(["--hosts", "0"])).toThrow(/--hosts/);
    expect(() => parseCellsBenchArgs(["--rates", "5,x"])).toThrow(/--rates/);
    expect(() => parseCellsBenchArgs(["--layouts", "1.5"])).toThrow(/--layouts/);
    expect(() => parseCellsBenchArgs(["--hosts", "3", "--layouts", "4"])).toThrow(/--hosts/);
    expect(() => parseCellsBenchArgs(["--nope"])).toThrow();
  });
});

describe("bench/cells figures", () => {
  it("splits hosts as evenly as can be", () => {
    expect(splitHosts(2000, 4)).toEqual([500, 500, 500, 500]);
    expect(splitHosts(10, 4)).toEqual([3, 3, 2, 2]);
  });

  it("takes nearest-rank percentiles", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile(twenty, 50)).toBe(10);
    expect(percentile([], 95)).toBeNaN();
  });

  it("calls a step sustained only when every boot went ACTIVE within the p95 bound", () => {
    const times = Array.from({ length: 100 }, (_, i) => (i < 95 ? 1 : 9));
    expect(stepFigures(step(10, times), 5)).toMatchObject({
      completedPerSecond: 10,
      p95: 1,
      sustained: true,
    });
    expect(stepFigures(step(10, [...times, 9, 9]), 5).sustained).toBe(false);
    expect(stepFigures(step(10, times, { unfinished: 1 }), 5).sustained).toBe(false);
    expect(stepFigures(step(10, times, { errors: 1 }), 5).sustained).toBe(false);
  });

  it("compares the highest sustained steps, as a lower bound when the larger layout never saturated", () => {
    const one = [step(10, [1, 1]), step(20, [1, 1]), step(40, [9, 9])].map((s) => stepFigures(s, 5));
    const four = [step(20, [1, 1]), step(40, [1, 1]), step(60, [1, 1])].map((s) => stepFigures(s, 5));
    expect(scalingRatio(one, four)).toEqual({ ratio: 3, atLeast: true });
    const fourSaturated = [...four, stepFigures(step(80, [9, 9]), 5)];
    expect(scalingRatio(one, fourSaturated)).toEqual({ ratio: 3, atLeast: false });
    expect(scalingRatio([stepFigures(step(10, [9]), 5)], four)).toBeUndefined();
  });

  it("turns counter readings into rates", () => {
    expect(ratePerSecond(100, 400, 30)).toBe(10);
    expect(ratePerSecond(400, 100, 30)).toBe(0);
    expect(ratePerSecond(0, 10, 0)).toBe(0);
  });
});
