// Rebuild, shelve/offload/unshelve, rescue, snapshots and backups, soft delete/restore/reclaim on one compute,
// against the scripted conductor: the task states each flow saves (and expects), the image catalogue, and
// the ERROR / revert paths.
import { LocalImageCatalog } from "@nova/image-catalog";
import type { Instance } from "@nova/objects";
import { FakeDriver, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Harness, startHarness } from "./harness.js";

const IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6";
const OTHER_IMAGE = "0b7a4b2c-9a52-4f57-9c40-5b2f7f0a1f11";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function catalogue(): LocalImageCatalog {
  return new LocalImageCatalog([
    { id: IMAGE, name: "cirros" },
    { id: OTHER_IMAGE, name: "fedora", min_ram: 0 },
  ]);
}

function row(harness: Harness, uuid: string): Partial<Instance> {
  return harness.conductor.instance(uuid)!;
}

/** The task states the compute saved for an instance, in order (what Nova's update_task_state leaves). */
function savedTaskStates(harness: Harness, uuid: string): (string | null)[] {
  return harness.conductor
    .callsOf("Instance.save")
    .filter((c) => c.data.uuid === uuid && c.changes.includes("task_state"))
    .map((c) => (c.data.task_state as string | null | undefined) ?? null);
}

async function queued(images: LocalImageCatalog, id: string, properties: Record<string, string> = {}) {
  await images.create({ id, name: `snap-${id.slice(0, 4)}`, status: "queued", properties });
}

describe("rebuild on the compute", () => {
  it("destroys and spawns from the new image: rebuilding -> rebuild_block_device_mapping -> rebuild_spawning -> ACTIVE", async () => {
    h = await startHarness({ images: catalogue() });
    const uuid = (await h.bootActive()).uuid!;
    const launched = row(h, uuid).launched_at;
    await h.clock.advance(5_000);
    await h.computeApi.rebuildInstance(h.ctx, h.host, {
      instance: h.apiSets(uuid, { task_state: "rebuilding", image_ref: OTHER_IMAGE }),
      image_ref: OTHER_IMAGE,
      orig_image_ref: IMAGE,
    });
    await h.finished(uuid, "compute_rebuild_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
    expect(row(h, uuid).launched_at!.getTime()).toBeGreaterThan(launched!.getTime());
    expect(savedTaskStates(h, uuid).slice(-3)).toEqual([
      "rebuild_block_device_mapping",
      "rebuild_spawning",
      null,
    ]);
    expect(h.driver.guests().map((g) => g.uuid)).toEqual([uuid]);
  });

  it("brings a stopped server back stopped", async () => {
    h = await startHarness({ images: catalogue() });
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.stopInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "powering-off" }));
    await h.finished(uuid, "compute_stop_instance");
    await h.computeApi.rebuildInstance(h.ctx, h.host, {
      instance: h.apiSets(uuid, { vm_state: "stopped", task_state: "rebuilding" }),
      image_ref: IMAGE,
      orig_image_ref: IMAGE,
    });
    await h.finished(uuid, "compute_rebuild_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "stopped",
      task_state: null,
      power_state: PowerState.SHUTDOWN,
    });
  });

  it("refuses preserve_ephemeral (destroy and spawn cannot keep it): ERROR with a fault, task cleared", async () => {
    h = await startHarness({ images: catalogue() });
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.rebuildInstance(h.ctx, h.host, {
      instance: h.apiSets(uuid, { task_state: "rebuilding" }),
      image_ref: IMAGE,
      orig_image_ref: IMAGE,
      preserve_ephemeral: true,
    });
    await h.finished(uuid, "compute_rebuild_instance");
    expect(row(h, uuid)).toMatchObject({ vm_state: "error", task_state: null });
    expect(h.conductor.faults.at(-1)?.message).toMatch(/preserving ephemeral/);
  });
});

describe("rescue and unrescue on the compute", () => {
  it("rescue: RESCUED running from the rescue image; unrescue: ACTIVE on its own disk", async () => {
    h = await startHarness({ images: catalogue() });
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.rescueInstance(
      h.ctx,
      h.host,
      h.apiSets(uuid, { task_state: "rescuing" }),
      "pw",
      OTHER_IMAGE,
    );
    await h.finished(uuid, "compute_rescue_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "rescued",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
    expect(h.driver.isRescued(uuid)).toBe(true);
    await h.computeApi.unrescueInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "unrescuing" }));
    await h.finished(uuid, "compute_unrescue_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
    expect(h.driver.isRescued(uuid)).toBe(false);
  });

  it("a failing driver leaves the server in ERROR with InstanceNotRescuable", async () => {
    const driver = new FakeDriver();
    h = await startHarness({ driver, images: catalogue() });
    const uuid = (await h.bootActive()).uuid!;
    driver.injectFailure({ operation: "rescue", instanceUuid: uuid });
    await h.computeApi.rescueInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "rescuing" }), null, null);
    await h.finished(uuid, "compute_rescue_instance");
    expect(row(h, uuid)).toMatchObject({ vm_state: "error", task_state: null });
    expect(h.conductor.faults.at(-1)?.message).toMatch(/cannot be rescued: Driver Error/);
  });
});

describe("snapshots and backups on the compute", () => {
  it("createImage: image_snapshot -> image_pending_upload -> image_uploading -> none, the image active", async () => {
    const images = catalogue();
    h = await startHarness({ images });
    const uuid = (await h.bootActive()).uuid!;
    const imageId = "5f0d6f4e-0000-4000-8000-000000000001";
    await queued(images, imageId);
    await h.computeApi.snapshotInstance(
      h.ctx,
      h.host,
      h.apiSets(uuid, { task_state: "image_snapshot_pending" }),
      imageId,
    );
    await h.finished(uuid, "compute_snapshot_instance");
    expect(savedTaskStates(h, uuid).slice(-4)).toEqual([
      "image_snapshot",
      "image_pending_upload",
      "image_uploading",
      null,
    ]);
    expect(row(h, uuid)).toMatchObject({ vm_state: "active", task_state: null });
    expect(await images.get(imageId)).toMatchObject({ status: "active", size: 1024 ** 3 });
  });

  it("a failed snapshot deletes the queued image and clears the task", async () => {
    const images = catalogue();
    const driver = new FakeDriver();
    h = await startHarness({ driver, images });
    const uuid = (await h.bootActive()).uuid!;
    const imageId = "5f0d6f4e-0000-4000-8000-000000000002";
    await queued(images, imageId);
    driver.injectFailure({ operation: "snapshot" });
    await h.computeApi.snapshotInstance(
      h.ctx,
      h.host,
      h.apiSets(uuid, { task_state: "image_snapshot_pending" }),
      imageId,
    );
    await h.finished(uuid, "compute_snapshot_instance");
    expect(row(h, uuid)).toMatchObject({ vm_state: "active", task_state: null });
    await expect(images.get(imageId)).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
  });

  it("createBackup keeps the newest `rotation` backups of the type and deletes the older ones", async () => {
    const images = catalogue();
    h = await startHarness({ images });
    const uuid = (await h.bootActive()).uuid!;
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const id = `5f0d6f4e-0000-4000-8000-00000000010${i}`;
      ids.push(id);
      await queued(images, id, { image_type: "backup", backup_type: "daily", instance_uuid: uuid });
      await h.computeApi.backupInstance(
        h.ctx,
        h.host,
        h.apiSets(uuid, { task_state: "image_backup" }),
        id,
        "daily",
        2,
      );
      await h.finished(uuid, "compute_backup_instance", i);
    }
    const left = (await images.list({})).filter((i) => i.properties.backup_type === "daily").map((i) => i.id);
    expect(left).toEqual(ids.slice(1));
    expect(row(h, uuid).task_state).toBeNull();
  });
});

describe("shelve, offload and unshelve on the compute", () => {
  it("shelve with shelved_offload_time 0: snapshot, SHELVED keys, then offloaded off the host", async () => {
    const images = catalogue();
    h = await startHarness({ images });
    const uuid = (await h.bootActive()).uuid!;
    const imageId = "5f0d6f4e-0000-4000-8000-000000000201";
    await queued(images, imageId);
    await h.computeApi.shelveInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "shelving" }), imageId);
    await h.finished(uuid, "compute_shelve_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "shelved_offloaded",
      task_state: null,
      host: null,
      node: null,
      power_state: PowerState.SHUTDOWN,
    });
    expect(row(h, uuid).system_metadata).toMatchObject({ shelved_image_id: imageId, shelved_host: h.host });
    expect(savedTaskStates(h, uuid).slice(-4)).toEqual([
      "shelving_image_pending_upload",
      "shelving_image_uploading",
      "shelving_offloading",
      null,
    ]);
    expect((await images.get(imageId)).status).toBe("active");
    expect(h.driver.guests()).toEqual([]);
    expect(h.scheduler.calls.some((c) => c.method === "delete_instance_info")).toBe(true);

    // Unshelve here (the conductor's call after scheduling it to this host): spawned, ACTIVE, snapshot gone.
    await h.computeApi.unshelveInstance(h.ctx, h.host, {
      instance: h.apiSets(uuid, { task_state: "unshelving", host: h.host, node: h.host }),
      node: h.host,
    });
    expect(row(h, uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      host: h.host,
      power_state: 1,
    });
    expect(row(h, uuid).system_metadata?.shelved_image_id).toBeUndefined();
    await expect(images.get(imageId)).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
    expect(h.driver.guests().map((g) => g.uuid)).toEqual([uuid]);
  });

  it("with shelved_offload_time > 0 the guest stays SHELVED until the periodic poll offloads it", async () => {
    const images = catalogue();
    h = await startHarness({ images, config: { shelved_offload_time: 30, shelved_poll_interval: 10 } });
    const uuid = (await h.bootActive()).uuid!;
    const imageId = "5f0d6f4e-0000-4000-8000-000000000202";
    await queued(images, imageId);
    await h.computeApi.shelveInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "shelving" }), imageId);
    await h.finished(uuid, "compute_shelve_instance");
    expect(row(h, uuid)).toMatchObject({ vm_state: "shelved", task_state: null, host: h.host });
    await h.clock.advance(45_000);
    await h.finished(uuid, "compute_shelve_offload_instance");
    expect(row(h, uuid)).toMatchObject({ vm_state: "shelved_offloaded", host: null });
  });

  it("a failed unshelve spawn leaves the row offloaded with no host and answers the error", async () => {
    const images = catalogue();
    const driver = new FakeDriver();
    h = await startHarness({ driver, images });
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.shelveInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "shelving" }), null);
    await h.finished(uuid, "compute_shelve_instance");
    driver.injectFailure({ operation: "spawn" });
    await expect(
      h.computeApi.unshelveInstance(h.ctx, h.host, {
        instance: h.apiSets(uuid, { task_state: "unshelving", host: h.host, node: h.host }),
        node: h.host,
      }),
    ).rejects.toThrow();
    expect(row(h, uuid)).toMatchObject({ vm_state: "shelved_offloaded", task_state: null, host: null });
  });
});

describe("soft delete, restore and reclaim on the compute", () => {
  it("soft delete powers off and keeps the guest; restore powers it on", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.softDeleteInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "soft-deleting" }));
    await h.finished(uuid, "compute_soft_delete_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "soft-delete",
      task_state: null,
      power_state: PowerState.SHUTDOWN,
    });
    expect(h.driver.guests().map((g) => g.uuid)).toEqual([uuid]);
    await h.computeApi.restoreInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "restoring" }));
    await h.finished(uuid, "compute_restore_instance");
    expect(row(h, uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
  });

  it("the reclaim destroys soft-deleted instances older than reclaim_instance_interval, and only those", async () => {
    h = await startHarness({ config: { reclaim_instance_interval: 60 } });
    const old = (await h.bootActive()).uuid!;
    const fresh = (await h.bootActive({ display_name: "vm-2", hostname: "vm-2" })).uuid!;
    for (const uuid of [old, fresh]) {
      await h.computeApi.softDeleteInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "soft-deleting" }));
      await h.finished(uuid, "compute_soft_delete_instance");
    }
    const now = h.clock.now();
    h.apiSets(old, { deleted_at: new Date(now - 120_000) });
    h.apiSets(fresh, { deleted_at: new Date(now) });
    await h.clock.advance(60_000);
    await vi.waitFor(() => {
      if (h!.conductor.instance(old)?.deleted !== true) throw new Error("not reclaimed yet");
    });
    await h.service.manager.settled();
    expect(h.conductor.instance(old)).toMatchObject({ vm_state: "deleted" });
    expect(h.conductor.instance(fresh)).toMatchObject({ vm_state: "soft-delete", deleted: false });
    expect(h.driver.guests().map((g) => g.uuid)).toEqual([fresh]);
  });
});
