import { describe, expect, it } from "vitest";
import { driverConformanceChecks, runDriverConformance } from "../test/driver-conformance.js";
import { FakeDriver } from "./fake-driver.js";

describe("FakeDriver passes the driver conformance kit", () => {
  for (const check of driverConformanceChecks({ nodename: "fake-1", createDriver: () => new FakeDriver() })) {
    it(check.name, check.run);
  }
});

describe("the conformance kit", () => {
  it("reports a driver that misbehaves, check by check", async () => {
    // A driver whose power off is a no-op, and which never reports events.
    class LazyDriver extends FakeDriver {
      override async powerOff(): Promise<void> {}
      override registerEventListener(): () => void {
        return () => {};
      }
    }
    const report = await runDriverConformance({
      nodename: "lazy",
      createDriver: () => new LazyDriver(),
      settleMs: 0,
    });
    expect(report.failed.map((f) => f.name)).toEqual([
      "powers off and on, and a second power off is no error",
      "reports stopped and started lifecycle events, and none after unsubscribing",
    ]);
    expect(String(report.failed[0]?.error)).toContain(
      "after powerOff, getInfo said running, expected shutdown",
    );
    expect(report.passed).toContain("spawns a guest that runs and is listed");
  });
});
