import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import type { ComputeDriver } from "./compute-driver.js";
import { DriverCallTimeoutError } from "./errors/driver-call-timeout.js";
import { FakeDriver } from "./fake/fake-driver.js";
import { testImageMeta, testInstance } from "./test/builders.js";
import { withCallTimeouts } from "./timed-driver.js";

describe("withCallTimeouts", () => {
  it("rejects a call that hangs with DriverCallTimeoutError naming the driver, the verb and the instance", async () => {
    const clock = new FakeClock();
    const inner = new FakeDriver();
    const hung: ComputeDriver = Object.assign(Object.create(inner) as FakeDriver, {
      spawn: () => new Promise<void>(() => {}),
    });
    const driver = withCallTimeouts(hung, { name: "my-driver#HangingDriver", timeoutMs: 5000, clock });
    const instance = testInstance();
    const spawned = driver.spawn({ instance, imageMeta: testImageMeta() });
    const outcome = spawned.then(
      () => null,
      (e: unknown) => e,
    );
    await clock.advance(4999);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    const err = await outcome;
    expect(DriverCallTimeoutError.isInstance(err)).toBe(true);
    expect((err as DriverCallTimeoutError).message).toBe(
      "compute driver my-driver#HangingDriver: spawn did not finish within 5 s",
    );
    expect((err as DriverCallTimeoutError).instanceUuid).toBe(instance.uuid);
  });

  it("passes answers and failures through and leaves no timer behind", async () => {
    const clock = new FakeClock();
    const inner = new FakeDriver({ nodename: "n1" });
    const driver = withCallTimeouts(inner, { name: "fake.FakeDriver", timeoutMs: 1000, clock });
    await driver.initHost("n1");
    expect(await driver.getAvailableNodes()).toEqual(["n1"]);
    await expect(driver.getInfo(testInstance())).rejects.toMatchObject({ code: "INSTANCE_NOT_FOUND" });
    expect(clock.pendingTimers).toBe(0);
  });
});
