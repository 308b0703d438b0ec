import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { ComputeResourcesUnavailableError } from "../errors/compute-resources-unavailable.js";
import { HypervisorUnavailableError } from "../errors/hypervisor-unavailable.js";
import { InstanceExistsError } from "../errors/instance-exists.js";
import { InstanceInvalidStateError } from "../errors/instance-invalid-state.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InstancePowerOffFailureError } from "../errors/instance-power-off-failure.js";
import { SpawnFailedError } from "../errors/spawn-failed.js";
import type { LifecycleEvent } from "../lifecycle-event.js";
import { PowerState } from "../power-state.js";
import { testFlavor, testImageMeta, testInstance } from "../test/builders.js";
import { FakeDriver } from "./fake-driver.js";

function recordEvents(driver: FakeDriver): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  driver.registerEventListener((e) => events.push(e));
  return events;
}

describe("FakeDriver", () => {
  it("spawns a running guest that shows up in lists, info and console", async () => {
    const driver = new FakeDriver();
    await driver.initHost("compute-1");
    const events = recordEvents(driver);
    const instance = testInstance({ hostname: "vm1" });
    await driver.spawn({ instance, imageMeta: testImageMeta() });

    expect(await driver.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING, vcpus: 1 });
    expect(await driver.listInstances()).toEqual([instance.name]);
    expect(await driver.listInstanceUuids()).toEqual([instance.uuid]);
    expect(await driver.instanceExists(instance)).toBe(true);
    expect(await driver.getConsoleOutput(instance)).toContain("vm1 login:");
    expect(events.map((e) => [e.uuid, e.transition])).toEqual([[instance.uuid, "started"]]);
    expect(await driver.getAvailableNodes()).toEqual(["compute-1"]);
  });

  it("leaves the guest shut off when powerOn is false", async () => {
    const driver = new FakeDriver();
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta(), powerOn: false });
    expect((await driver.getInfo(instance)).state).toBe(PowerState.SHUTDOWN);
  });

  it("refuses a second guest with the same uuid or name", async () => {
    const driver = new FakeDriver();
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    await expect(driver.spawn({ instance, imageMeta: testImageMeta() })).rejects.toBeInstanceOf(
      InstanceExistsError,
    );
    const sameName = testInstance({ name: instance.name });
    await expect(driver.spawn({ instance: sameName, imageMeta: testImageMeta() })).rejects.toThrow(
      `Instance ${instance.name} already exists.`,
    );
  });

  it("walks the power states as the verbs say, emitting lifecycle events", async () => {
    const driver = new FakeDriver();
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    const events = recordEvents(driver);
    const state = async () => (await driver.getInfo(instance)).state;

    await driver.pause(instance);
    expect(await state()).toBe(PowerState.PAUSED);
    await driver.unpause(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await driver.suspend(instance);
    expect(await state()).toBe(PowerState.SUSPENDED);
    await driver.resume(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await driver.powerOff(instance, { timeoutSeconds: 60 });
    expect(await state()).toBe(PowerState.SHUTDOWN);
    await driver.powerOff(instance); // already off: no error, no event
    await driver.powerOn(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await driver.reboot(instance, "SOFT");
    expect(await state()).toBe(PowerState.RUNNING);
    await driver.reboot(instance, "HARD");
    expect(await state()).toBe(PowerState.RUNNING);

    expect(events.map((e) => e.transition)).toEqual([
      "paused",
      "resumed",
      "suspended",
      "resumed",
      "stopped",
      "started",
      "stopped",
      "started",
    ]);
  });

  it("refuses verbs that the guest's state does not allow", async () => {
    const driver = new FakeDriver();
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta(), powerOn: false });
    const error = await driver.pause(instance).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceInvalidStateError);
    expect(error).toMatchObject({
      code: "INSTANCE_INVALID_STATE",
      state: PowerState.SHUTDOWN,
      method: "pause",
    });
    expect((error as Error).message).toBe(
      `Instance ${instance.uuid} in power_state shutdown. Cannot pause while the instance is in this state.`,
    );
    await expect(driver.unpause(instance)).rejects.toBeInstanceOf(InstanceInvalidStateError);
    await expect(driver.suspend(instance)).rejects.toBeInstanceOf(InstanceInvalidStateError);
    await expect(driver.resume(instance)).rejects.toBeInstanceOf(InstanceInvalidStateError);
    // A soft reboot of a stopped guest becomes a hard one and starts it, as libvirt's driver does.
    await driver.reboot(instance, "SOFT");
    expect((await driver.getInfo(instance)).state).toBe(PowerState.RUNNING);
  });

  it("raises InstanceNotFound for unknown guests, and destroy is idempotent", async () => {
    const driver = new FakeDriver();
    const ghost = testInstance();
    for (const call of [
      () => driver.getInfo(ghost),
      () => driver.pause(ghost),
      () => driver.powerOff(ghost),
      () => driver.powerOn(ghost),
      () => driver.reboot(ghost, "HARD"),
      () => driver.getConsoleOutput(ghost),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(InstanceNotFoundError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "INSTANCE_NOT_FOUND", instanceUuid: ghost.uuid });
    }
    await driver.destroy(ghost);
    expect(await driver.instanceExists(ghost)).toBe(false);
  });

  it("destroys a guest, emitting stopped and releasing its resources", async () => {
    const driver = new FakeDriver({ vcpus: 8, memoryMb: 8192, localGb: 100, nodename: "node-a" });
    const instance = testInstance({
      flavor: testFlavor({ vcpus: 2, memoryMb: 2048, rootGb: 10, swapMb: 512 }),
    });
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    expect(await driver.getAvailableResource("node-a")).toMatchObject({
      vcpus: 8,
      memoryMb: 8192,
      localGb: 100,
      vcpusUsed: 2,
      memoryMbUsed: 2048,
      localGbUsed: 11,
      diskAvailableLeast: 89,
      hypervisorType: "fake",
      hypervisorVersion: 1000,
      hypervisorHostname: "node-a",
      supportedInstances: [["x86_64", "fake", "hvm"]],
    });
    const events = recordEvents(driver);
    await driver.destroy(instance);
    expect(events.map((e) => e.transition)).toEqual(["stopped"]);
    expect(await driver.listInstances()).toEqual([]);
    expect(await driver.getAvailableResource("node-a")).toMatchObject({ vcpusUsed: 0, memoryMbUsed: 0 });
    await expect(driver.getAvailableResource("node-b")).rejects.toBeInstanceOf(HypervisorUnavailableError);
  });

  it("takes spawnDelayMs on the injected clock, in state NOSTATE meanwhile", async () => {
    const clock = new FakeClock(1_000);
    const driver = new FakeDriver({ clock, spawnDelayMs: 5_000 });
    const instance = testInstance();
    let done = false;
    const spawning = driver.spawn({ instance, imageMeta: testImageMeta() }).then(() => {
      done = true;
    });
    await clock.whenPending();
    expect((await driver.getInfo(instance)).state).toBe(PowerState.NOSTATE);
    await clock.advance(4_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await spawning;
    expect((await driver.getInfo(instance)).state).toBe(PowerState.RUNNING);
  });

  it("fails a spawn whose guest was destroyed during the build", async () => {
    const clock = new FakeClock(0);
    const driver = new FakeDriver({ clock, spawnDelayMs: () => 100 });
    const instance = testInstance();
    const spawning = driver.spawn({ instance, imageMeta: testImageMeta() }).catch((e: unknown) => e);
    await clock.whenPending();
    await driver.destroy(instance);
    await clock.advance(100);
    expect(await spawning).toBeInstanceOf(InstanceNotFoundError);
    expect(await driver.listInstances()).toEqual([]);
  });

  it("injects failures per verb, per instance, a number of times", async () => {
    const driver = new FakeDriver();
    const a = testInstance();
    const b = testInstance();
    driver.injectFailure({ operation: "spawn", instanceUuid: b.uuid, times: 2 });
    await driver.spawn({ instance: a, imageMeta: testImageMeta() });
    for (let i = 0; i < 2; i++) {
      const error = await driver.spawn({ instance: b, imageMeta: testImageMeta() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpawnFailedError);
      expect(error).toMatchObject({ isRetryable: true, instanceUuid: b.uuid });
    }
    expect(await driver.instanceExists(b)).toBe(false); // a failed spawn leaves nothing behind
    await driver.spawn({ instance: b, imageMeta: testImageMeta() }); // used up

    driver.injectFailure({ operation: "powerOff" });
    await expect(driver.powerOff(a)).rejects.toBeInstanceOf(InstancePowerOffFailureError);
    driver.injectFailure({ operation: "getInfo", error: new Error("custom") });
    await expect(driver.getInfo(a)).rejects.toThrow("custom");
    driver.injectFailure({
      operation: "pause",
      error: (i) => new Error(`no pause for ${i?.name}`),
      times: Infinity,
    });
    await expect(driver.pause(a)).rejects.toThrow(`no pause for ${a.name}`);
    await expect(driver.pause(a)).rejects.toThrow(`no pause for ${a.name}`);
    driver.clearFailures();
    await driver.pause(a);
  });

  it("injects failures only for instances a predicate accepts, leaving the others untouched", async () => {
    const driver = new FakeDriver();
    driver.injectFailure({
      operation: "spawn",
      matches: (i) => "displayName" in i && /^doomed-/.test(i.displayName),
      times: Infinity,
    });
    const fine = testInstance({ displayName: "fine" });
    await driver.spawn({ instance: fine, imageMeta: testImageMeta() });
    for (const name of ["doomed-1", "doomed-2"]) {
      const doomed = testInstance({ displayName: name });
      const error = await driver.spawn({ instance: doomed, imageMeta: testImageMeta() }).catch((e) => e);
      expect(error).toBeInstanceOf(SpawnFailedError);
      expect(error).toMatchObject({ instanceUuid: doomed.uuid });
    }
    expect(driver.guests().map((g) => g.uuid)).toEqual([fine.uuid]);
  });

  it("refuses spawns beyond capacity when told to enforce it", async () => {
    const driver = new FakeDriver({ vcpus: 2, memoryMb: 1024, localGb: 10, enforceCapacity: true });
    await driver.spawn({ instance: testInstance(), imageMeta: testImageMeta() });
    const big = testInstance({ flavor: testFlavor({ vcpus: 2, memoryMb: 512 }) });
    const error = await driver.spawn({ instance: big, imageMeta: testImageMeta() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComputeResourcesUnavailableError);
    expect((error as Error).message).toBe("Insufficient compute resources: vcpus: requested 2, free 1.");
    // Without enforcement the fake accepts it, as Nova's does.
    const lax = new FakeDriver({ vcpus: 1 });
    await lax.spawn({ instance: big, imageMeta: testImageMeta() });
    expect((await lax.getAvailableResource("fake-mini")).vcpusUsed).toBe(2);
  });

  it("simulates a guest stopping by itself", async () => {
    const driver = new FakeDriver({ clock: new FakeClock(42) });
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    const events = recordEvents(driver);
    driver.simulateGuestStop(instance.uuid, PowerState.CRASHED);
    expect(events).toEqual([{ uuid: instance.uuid, transition: "stopped", timestamp: 42 }]);
    expect((await driver.getInfo(instance)).state).toBe(PowerState.CRASHED);
    driver.writeConsole(instance.uuid, "kernel panic\n");
    expect(await driver.getConsoleOutput(instance)).toMatch(/kernel panic\n$/);
  });

  it("keeps only the last 100 KiB of console output", async () => {
    const driver = new FakeDriver();
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    driver.writeConsole(instance.uuid, "x".repeat(200 * 1024));
    driver.writeConsole(instance.uuid, "END");
    const output = await driver.getConsoleOutput(instance);
    expect(output.length).toBe(100 * 1024);
    expect(output.endsWith("xEND")).toBe(true);
  });

  it("stops listeners that unsubscribed and survives listeners that throw", async () => {
    const driver = new FakeDriver();
    const seen: string[] = [];
    driver.registerEventListener(() => {
      throw new Error("bad listener");
    });
    const off = driver.registerEventListener((e) => seen.push(e.transition));
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    off();
    await driver.pause(instance);
    expect(seen).toEqual(["started"]);
  });

  it("is unusable after close", async () => {
    const driver = new FakeDriver();
    await driver.close();
    await expect(driver.listInstances()).rejects.toBeInstanceOf(HypervisorUnavailableError);
  });
});
