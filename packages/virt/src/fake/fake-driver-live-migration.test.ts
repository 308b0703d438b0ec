import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { HypervisorUnavailableError } from "../errors/hypervisor-unavailable.js";
import { LiveMigrationAbortedError } from "../errors/live-migration-aborted.js";
import { PowerState } from "../power-state.js";
import { testImageMeta, testInstance } from "../test/builders.js";
import { FakeDriver } from "./fake-driver.js";

// Live migration between two fake hosts (two drivers): the checks, the incoming guest, the copy's delay ended
// by force-complete or abort, and an injected failure that leaves the guest on the source.
describe("FakeDriver live migration", () => {
  async function hosts(delayMs = 0) {
    const clock = new FakeClock(0);
    const source = new FakeDriver({ clock, operationDelaysMs: { liveMigration: delayMs } });
    const dest = new FakeDriver({ clock });
    await source.initHost("src");
    await dest.initHost("dst");
    const instance = testInstance();
    await source.spawn({ instance, imageMeta: testImageMeta() });
    return { clock, source, dest, instance };
  }

  it("moves a running guest: checks, incoming on the destination, gone from the source, running there", async () => {
    const { source, dest, instance } = await hosts();
    const destData = await dest.checkCanLiveMigrateDestination(instance, { blockMigration: null });
    const data = await source.checkCanLiveMigrateSource(instance, destData);
    await dest.preLiveMigration(instance, data);
    expect(dest.incomingLiveMigrations()).toEqual([instance.uuid]);
    await source.liveMigration(instance, "dst", data);
    expect(await source.listInstanceUuids()).toEqual([]);
    await dest.postLiveMigrationAtDestination(instance);
    expect(dest.incomingLiveMigrations()).toEqual([]);
    expect(await dest.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING });
  });

  it("aborts a slow copy (the guest stays), and force-completes the next one", async () => {
    const { source, dest, instance } = await hosts(60_000);
    await dest.preLiveMigration(instance, {});
    const aborted = source.liveMigration(instance, "dst", {});
    await source.liveMigrationAbort(instance);
    await expect(aborted).rejects.toBeInstanceOf(LiveMigrationAbortedError);
    expect(await source.listInstanceUuids()).toEqual([instance.uuid]);
    await dest.rollbackLiveMigrationAtDestination(instance);
    expect(dest.incomingLiveMigrations()).toEqual([]);
    const forced = source.liveMigration(instance, "dst", {});
    await source.liveMigrationForceComplete(instance);
    await forced;
    expect(await source.listInstanceUuids()).toEqual([]);
  });

  it("fails a copy as injected, the guest still running on the source", async () => {
    const { source, instance } = await hosts();
    source.injectFailure({ operation: "liveMigration" });
    await expect(source.liveMigration(instance, "dst", {})).rejects.toBeInstanceOf(
      HypervisorUnavailableError,
    );
    expect(await source.getInfo(instance)).toMatchObject({ state: PowerState.RUNNING });
  });
});
