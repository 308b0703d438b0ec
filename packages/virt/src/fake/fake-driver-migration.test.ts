import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { ComputeResourcesUnavailableError } from "../errors/compute-resources-unavailable.js";
import { HypervisorUnavailableError } from "../errors/hypervisor-unavailable.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { PowerState } from "../power-state.js";
import { testFlavor, testImageMeta, testInstance } from "../test/builders.js";
import { FakeDriver } from "./fake-driver.js";

// Resize and cold migration between two fake hosts (two drivers), and the generic delays and failures.
describe("FakeDriver moves", () => {
  const big = testFlavor({ flavorId: "2", name: "m1.small", vcpus: 2, memoryMb: 1024, rootGb: 2 });

  async function hosts() {
    const source = new FakeDriver();
    const dest = new FakeDriver();
    await source.initHost("src");
    await dest.initHost("dst");
    const instance = testInstance();
    await source.spawn({ instance, imageMeta: testImageMeta() });
    return { source, dest, instance };
  }

  it("moves a guest: off on the source (kept for a revert), up at the new size on the destination, confirmed", async () => {
    const { source, dest, instance } = await hosts();
    await dest.prepResize(instance, big);
    const diskInfo = await source.migrateDiskAndPowerOff(instance, "dst", big);
    expect(JSON.parse(diskInfo)).toMatchObject({ dest: "dst" });
    expect(await source.listInstanceUuids()).toEqual([]);
    expect(source.resizeBackups()).toEqual([instance.uuid]);
    const resized = { ...instance, flavor: big };
    await dest.finishMigration({ instance: resized, diskInfo, resizeInstance: true, powerOn: true });
    expect(await dest.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING, vcpus: 2 });
    expect((await dest.getAvailableResource("dst")).vcpusUsed).toBe(2);
    await source.confirmMigration(instance);
    expect(source.resizeBackups()).toEqual([]);
  });

  it("reverts: the destination drops its copy, the source brings the original back and starts it", async () => {
    const { source, dest, instance } = await hosts();
    const diskInfo = await source.migrateDiskAndPowerOff(instance, "dst", big);
    await dest.finishMigration({
      instance: { ...instance, flavor: big },
      diskInfo,
      resizeInstance: true,
      powerOn: false,
    });
    expect(await dest.getInfo(instance)).toMatchObject({ state: PowerState.SHUTDOWN });
    await dest.destroy(instance);
    await source.finishRevertMigration(instance, true);
    expect(await source.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING, vcpus: 1 });
    await expect(source.finishRevertMigration(instance, true)).rejects.toBeInstanceOf(InstanceNotFoundError);
  });

  it("reverts on a source restarted mid-move: the guest is rebuilt from the instance (its disks outlived the process)", async () => {
    const restarted = new FakeDriver();
    await restarted.initHost("src");
    const instance = testInstance();
    await restarted.finishRevertMigration(instance, true);
    expect(await restarted.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING, vcpus: 1 });
    // The guest is back: nothing is left to revert.
    await expect(restarted.finishRevertMigration(instance, true)).rejects.toBeInstanceOf(
      InstanceNotFoundError,
    );
  });

  it("resizes on one host: the new guest runs while the old is kept until confirmed", async () => {
    const { source: host, instance } = await hosts();
    const diskInfo = await host.migrateDiskAndPowerOff(instance, "src", big);
    await host.finishMigration({
      instance: { ...instance, flavor: big },
      diskInfo,
      resizeInstance: true,
      powerOn: true,
    });
    expect(await host.getInfo(instance)).toMatchObject({ vcpus: 2 });
    expect(host.resizeBackups()).toEqual([instance.uuid]);
    await host.confirmMigration(instance);
    expect(await host.listInstanceUuids()).toEqual([instance.uuid]);
  });

  it("refuses a destination without room when capacity is enforced", async () => {
    const dest = new FakeDriver({ enforceCapacity: true, vcpus: 1 });
    await dest.initHost("dst");
    await expect(dest.prepResize(testInstance(), big)).rejects.toBeInstanceOf(
      ComputeResourcesUnavailableError,
    );
  });

  it("delays any operation on its clock and fails it as injected", async () => {
    const clock = new FakeClock(0);
    const driver = new FakeDriver({ clock, operationDelaysMs: { confirmMigration: 500 } });
    await driver.initHost("h");
    driver.injectFailure({ operation: "finishMigration", times: 1 });
    const instance = testInstance();
    await expect(
      driver.finishMigration({ instance, diskInfo: "{}", resizeInstance: false, powerOn: true }),
    ).rejects.toBeInstanceOf(HypervisorUnavailableError);
    let done = false;
    const confirming = driver.confirmMigration(instance).then(() => {
      done = true;
    });
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await confirming;
    expect(done).toBe(true);
  });
});
