// The API backend's side of rebuild, shelve, snapshots and soft delete over SQLite: the state rules, the
// conditional task writes, the queued images, Nova's unshelve checks, and the undo when a cast cannot leave.
import { randomUUID } from "node:crypto";
import type { RequestContext } from "@nova/api";
import { FakeClock } from "@nova/core/test";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DbComputeBackend } from "../src/db-compute-backend.js";
import { openTestDatabases } from "./test-databases.js";

const IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6";
const BIG_IMAGE = "0b7a4b2c-9a52-4f57-9c40-5b2f7f0a1f11";
const ctx: RequestContext = {
  userId: "alice",
  projectId: "p1",
  roles: ["member"],
  isAdmin: false,
  requestId: "req-lifecycle",
  remoteAddress: "127.0.0.1",
} as RequestContext;

describe("ServerLifecycle over SQLite", () => {
  let clock: FakeClock;
  let apiDb: ApiDatabase;
  let cellDb: CellDatabase;
  let cellUuid: string;
  let transport: Transport;
  let images: LocalImageCatalog;
  let backend: DbComputeBackend;

  beforeEach(async () => {
    clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    ({ apiDb, cellDb, cellUuid } = await openTestDatabases({ clock }));
    transport = new Transport("fake://", { options: { control_exchange: "nova" } });
    images = new LocalImageCatalog([
      { id: IMAGE, name: "cirros" },
      { id: BIG_IMAGE, name: "big", min_ram: 4096 },
    ]);
    backend = new DbComputeBackend({
      clock,
      apiDb,
      cellDb,
      cellUuid,
      computeTask: new ComputeTaskAPI({ transport }),
      compute: new ComputeAPI({ transport }),
      images,
      config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
    });
  });
  afterEach(async () => {
    await transport.close().catch(() => undefined);
    await apiDb.close();
    await cellDb.close();
  });

  /** A compute host whose service reported just now, and one server on it in `vmState`. */
  async function serverOn(
    host: string | null,
    vmState: "active" | "shelved" | "shelved_offloaded" = "active",
  ) {
    if (host && (await cellDb.computeNodes.list({ host })).length === 0) {
      const svc = await cellDb.services.create({ host, binary: "nova-compute", topic: "compute" });
      await cellDb.services.update(svc.id, { report_count: 1 });
      await cellDb.computeNodes.create({
        host,
        hypervisor_hostname: host,
        service_id: svc.id,
        vcpus: 4,
        memory_mb: 8192,
        local_gb: 100,
        hypervisor_type: "fake",
        hypervisor_version: 1000,
      });
    }
    const flavor = await apiDb.flavors.getByFlavorId("1");
    const uuid = randomUUID();
    await cellDb.instances.create({
      uuid,
      project_id: "p1",
      user_id: "alice",
      display_name: "web",
      image_ref: IMAGE,
      vm_state: vmState,
      task_state: null,
      power_state: 1,
      host,
      node: host,
      flavor,
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      ephemeral_gb: 0,
      launched_at: new Date(clock.now()),
      system_metadata: { image_min_ram: "0", image_min_disk: "0" },
    });
    await apiDb.mappings.createInstanceMapping({
      instance_uuid: uuid,
      project_id: "p1",
      user_id: "alice",
      cell_uuid: cellUuid,
    });
    await apiDb.requestSpecs.save({
      instance_uuid: uuid,
      project_id: "p1",
      user_id: "alice",
      flavor,
      num_instances: 1,
    });
    return uuid;
  }

  it("rebuild writes the new image and its system metadata with task rebuilding; a too-small flavor is a 400", async () => {
    const uuid = await serverOn("h1");
    await expect(
      backend.rebuildServer(ctx, uuid, {
        imageRef: BIG_IMAGE,
        adminPass: "x",
        preserveEphemeral: false,
        personality: [],
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      message: "Flavor's memory is too small for requested image.",
    });
    const server = await backend.rebuildServer(ctx, uuid, {
      imageRef: IMAGE,
      adminPass: "x",
      preserveEphemeral: false,
      personality: [],
      name: "rebuilt",
    });
    expect(server).toMatchObject({ name: "rebuilt", taskState: "rebuilding", imageRef: IMAGE });
    const row = await cellDb.instances.get(uuid);
    expect(row.system_metadata).toMatchObject({ image_base_image_ref: IMAGE, image_min_ram: "0" });
    expect((await cellDb.actions.list(uuid)).map((a) => a.action)).toContain("rebuild");
    // Busy now: a second action is Nova's 409.
    await expect(backend.shelveServer(ctx, uuid)).rejects.toMatchObject({ code: "INSTANCE_INVALID_STATE" });
  });

  it("createImage creates the queued snapshot image; a cast that cannot leave puts the task back and removes it", async () => {
    const uuid = await serverOn("h1");
    const imageId = await backend.createServerImage(ctx, uuid, { name: "snap", metadata: { k: "v" } });
    expect(await images.get(imageId)).toMatchObject({
      name: "snap",
      status: "queued",
      minDisk: 1,
      properties: {
        k: "v",
        image_type: "snapshot",
        instance_uuid: uuid,
        user_id: "alice",
        base_image_ref: IMAGE,
      },
    });
    expect((await cellDb.instances.get(uuid)).task_state).toBe("image_snapshot_pending");

    const other = await serverOn("h1");
    await transport.close();
    await expect(backend.createServerImage(ctx, other, { name: "lost", metadata: {} })).rejects.toMatchObject(
      {
        code: "SERVICE_UNAVAILABLE",
      },
    );
    expect((await cellDb.instances.get(other)).task_state).toBeNull();
    expect((await images.list({ name: "lost" })).length).toBe(0);
  });

  it("unshelve follows Nova's checks and keeps the zone and host in the request spec", async () => {
    const shelved = await serverOn("h1", "shelved");
    await expect(backend.unshelveServer(ctx, shelved, { availabilityZone: "nova" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const offloaded = await serverOn(null, "shelved_offloaded");
    await expect(backend.unshelveServer(ctx, offloaded, { availabilityZone: "mars" })).rejects.toMatchObject({
      message: "The requested availability zone is not available",
    });
    await expect(backend.unshelveServer(ctx, offloaded, { host: "nowhere" })).rejects.toMatchObject({
      message: "Compute host nowhere could not be found.",
    });
    await backend.unshelveServer(ctx, offloaded, { availabilityZone: "nova", host: "h1" });
    const spec = await apiDb.requestSpecs.getByInstanceUuid(offloaded);
    expect(spec.availability_zone).toBe("nova");
    expect(spec.requested_destination?.["nova_object.data"]).toMatchObject({ host: "h1" });
    expect((await cellDb.instances.get(offloaded)).task_state).toBe("unshelving");
  });

  it("soft delete of a server whose host is down is done here; restore of a server without a host too", async () => {
    const uuid = await serverOn("h-down");
    await clock.advance(3_600_000); // the compute service is long silent
    await backend.softDeleteServer(ctx, uuid);
    const row = await cellDb.instances.get(uuid);
    expect(row).toMatchObject({ vm_state: "soft-delete", task_state: null });
    expect(row.deleted_at).toEqual(new Date(clock.now()));
    const hostless = await serverOn(null);
    await cellDb.instances.update(hostless, { vm_state: "soft-delete", deleted_at: new Date(clock.now()) });
    await backend.restoreServer(ctx, hostless);
    expect(await cellDb.instances.get(hostless)).toMatchObject({ vm_state: "active", deleted_at: null });
    // A server that never launched cannot be soft-deleted (the API then deletes it).
    const never = await serverOn(null);
    await cellDb.instances.update(never, { launched_at: null });
    await expect(backend.softDeleteServer(ctx, never)).rejects.toMatchObject({
      code: "INSTANCE_INVALID_STATE",
    });
  });
});
