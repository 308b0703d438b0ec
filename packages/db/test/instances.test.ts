import { randomUUID } from "node:crypto";
import { FlavorCodec, InstanceCodec, objectChanges, PowerState } from "@nova/objects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CellDatabase,
  InvalidSortKeyError,
  MarkerNotFoundError,
  NotFoundError,
  openCellDatabase,
  UnexpectedTaskStateError,
  UnexpectedVmStateError,
} from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

const flavor = {
  id: 1,
  name: "peer.tiny",
  memory_mb: 64,
  vcpus: 1,
  root_gb: 1,
  ephemeral_gb: 0,
  flavorid: "1",
  swap: 0,
  rxtx_factor: 1.0,
  vcpu_weight: 0,
  disabled: false,
  is_public: true,
  extra_specs: { "hw:mem_page_size": "small" },
  description: null,
  created_at: new Date("2026-11-27T07:01:12Z"),
  updated_at: null,
  deleted_at: null,
  deleted: false,
};

describe(`instances (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  const queries: string[] = [];
  beforeAll(async () => {
    ctx = await migratedCell("instances", { clock, onQuery: (q) => queries.push(q) });
    cell = ctx.cell;
  });
  afterAll(async () => ctx.dispose());

  it("stores and reads back an instance with metadata, flavor, dates and nested objects", async () => {
    const uuid = randomUUID();
    const pci = {
      "nova_object.name": "InstancePCIRequests",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.1",
      "nova_object.data": { requests: [] },
    };
    const created = await cell.instances.create({
      uuid,
      project_id: "p1",
      user_id: "u1",
      display_name: "trace-1",
      vm_state: "building",
      task_state: "scheduling",
      memory_mb: 64,
      vcpus: 1,
      root_gb: 1,
      flavor,
      metadata: { role: "db" },
      system_metadata: { image_min_ram: "0", owner_user_name: null },
      pci_requests: pci,
      launched_at: null,
    });
    expect(created.id).toBeGreaterThan(0);
    expect(created.created_at).toEqual(new Date(clock.now()));
    const got = await cell.instances.get(uuid);
    expect(got).toEqual(created);
    expect(got.flavor).toEqual(flavor);
    expect(got.metadata).toEqual({ role: "db" });
    expect(got.system_metadata).toEqual({ image_min_ram: "0", owner_user_name: null });
    expect(got.pci_requests).toEqual(pci);
    expect(got.power_state).toBe(PowerState.NOSTATE);
    expect(got.locked).toBe(false);
    // What the conductor sends over RPC from a stored instance is a valid Instance primitive.
    const wire = InstanceCodec.toPrimitive(got);
    expect(InstanceCodec.fromPrimitive(wire)).toEqual(got);
    expect(FlavorCodec.schema.safeParse(got.flavor).success).toBe(false); // projects never loaded on an instance
    // create answers without reading back: a bare instance too must equal what a read gives.
    const bare = randomUUID();
    queries.length = 0;
    const made = await cell.instances.create({ uuid: bare, flavor, display_description: "bare" });
    expect(queries.filter((q) => /^select/i.test(q))).toEqual([]);
    expect(await cell.instances.get(bare)).toEqual(made);
  });

  it("updates only when task_state still matches (UnexpectedTaskStateError otherwise, nothing written)", async () => {
    const uuid = randomUUID();
    await cell.instances.create({ uuid, vm_state: "building", task_state: "scheduling", flavor });
    await clock.advance(5_000);
    const saved = await cell.instances.update(
      uuid,
      { task_state: "spawning", host: "peer-cpu-1" },
      { expectedTaskState: ["scheduling", null] },
    );
    expect(saved.task_state).toBe("spawning");
    expect(saved.updated_at).toEqual(new Date(clock.now()));
    const err = await cell.instances
      .update(uuid, { task_state: null, vm_state: "active" }, { expectedTaskState: "scheduling" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedTaskStateError);
    expect(err).toMatchObject({
      code: "DB_UNEXPECTED_TASK_STATE",
      expected: ["scheduling"],
      actual: "spawning",
    });
    expect((await cell.instances.get(uuid)).vm_state).toBe("building");
    const vmErr = await cell.instances
      .update(uuid, { task_state: null }, { expectedVmState: "active" })
      .catch((e: unknown) => e);
    expect(vmErr).toBeInstanceOf(UnexpectedVmStateError);
    // Writing the same values again is not a conflict (rows matched, not rows changed, count).
    const same = await cell.instances.update(
      uuid,
      { task_state: "spawning" },
      { expectedTaskState: "spawning" },
    );
    expect(same.task_state).toBe("spawning");
    expect(
      await cell.instances.update(randomUUID(), { task_state: null }).catch((e: unknown) => e),
    ).toBeInstanceOf(NotFoundError);
  });

  it("updateWithoutReload saves as update does, in one statement when only the instances row changes", async () => {
    const uuid = randomUUID();
    await cell.instances.create({
      uuid,
      vm_state: "building",
      task_state: "spawning",
      flavor,
      metadata: { a: "1" },
    });
    await clock.advance(5_000);
    queries.length = 0;
    await cell.instances.updateWithoutReload(
      uuid,
      { vm_state: "active", task_state: null, power_state: 1, launched_at: new Date(clock.now()) },
      { expectedVmState: ["building"], expectedTaskState: ["spawning"] },
    );
    expect(queries).toHaveLength(1);
    expect(await cell.instances.get(uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: 1,
      launched_at: new Date(clock.now()),
      updated_at: new Date(clock.now()),
      metadata: { a: "1" },
    });
    const err = await cell.instances
      .updateWithoutReload(uuid, { task_state: null }, { expectedTaskState: "spawning" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "DB_UNEXPECTED_TASK_STATE", expected: ["spawning"], actual: null });
    expect(
      await cell.instances.updateWithoutReload(randomUUID(), { task_state: null }).catch((e: unknown) => e),
    ).toBeInstanceOf(NotFoundError);
    // Metadata lives in its own table: that change goes through the whole transaction.
    await cell.instances.updateWithoutReload(uuid, { metadata: { b: "2" } });
    expect((await cell.instances.get(uuid)).metadata).toEqual({ b: "2" });
  });

  it("reads a live instance in one statement, metadata of any text intact; a save of the row is two", async () => {
    const uuid = randomUUID();
    const odd = { 'q"uote\\back': "line\nbreak\t\u0001é😀", "": "", "ü€": "x".repeat(255) };
    await cell.instances.create({
      uuid,
      vm_state: "active",
      flavor,
      metadata: odd,
      system_metadata: { image_min_ram: "0", owner_user_name: null },
    });
    queries.length = 0;
    const got = await cell.instances.get(uuid);
    expect(queries).toHaveLength(1);
    expect(got.metadata).toEqual(odd);
    expect(got.system_metadata).toEqual({ image_min_ram: "0", owner_user_name: null });
    // The listing reads metadata its own way (all instances' pairs at once): the two agree.
    const [listed] = await cell.instances.list({ uuid: [uuid] });
    expect(listed!.metadata).toEqual(got.metadata);
    expect(listed!.system_metadata).toEqual(got.system_metadata);

    queries.length = 0;
    const saved = await cell.instances.update(
      uuid,
      { task_state: "resize_prep" },
      { expectedTaskState: null },
    );
    expect(queries).toHaveLength(2);
    expect(saved).toMatchObject({ task_state: "resize_prep", metadata: odd, flavor: { name: "peer.tiny" } });
    // Without metadata, the aggregates are empty objects (not null) on both backends.
    await cell.instances.update(uuid, { metadata: {}, system_metadata: {} });
    expect(await cell.instances.get(uuid)).toMatchObject({ metadata: {}, system_metadata: {} });
  });

  it("lets exactly one of two racing updates with the same expectation win", async () => {
    const uuid = randomUUID();
    await cell.instances.create({ uuid, vm_state: "active", task_state: null, flavor });
    const other = openCellDatabase(ctx.url);
    try {
      const results = await Promise.allSettled([
        cell.instances.update(uuid, { task_state: "rebooting" }, { expectedTaskState: null }),
        other.instances.update(uuid, { task_state: "deleting" }, { expectedTaskState: null }),
        cell.instances.update(uuid, { task_state: "powering-off" }, { expectedTaskState: null }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const l of lost)
        expect((l as PromiseRejectedResult).reason).toBeInstanceOf(UnexpectedTaskStateError);
      const final = await cell.instances.get(uuid);
      expect(final.task_state).toBe(
        (won[0] as PromiseFulfilledResult<{ task_state: string }>).value.task_state,
      );
    } finally {
      await other.close();
    }
  });

  it("replaces metadata and keeps flavors when saving other fields", async () => {
    const uuid = randomUUID();
    await cell.instances.create({ uuid, flavor, metadata: { a: "1", b: "2" } });
    const saved = await cell.instances.update(uuid, {
      metadata: { b: "3" },
      new_flavor: { ...flavor, name: "peer.big", memory_mb: 128 },
    });
    expect(saved.metadata).toEqual({ b: "3" });
    expect(saved.flavor).toEqual(flavor);
    expect(saved.new_flavor?.memory_mb).toBe(128);
  });

  it("saving all three flavors writes them without reading the stored ones; one alone is merged in", async () => {
    const uuid = randomUUID();
    const big = { ...flavor, id: 2, name: "peer.big", memory_mb: 128 };
    await cell.instances.create({ uuid, flavor });
    queries.length = 0;
    const moved = await cell.instances.update(uuid, { flavor: big, old_flavor: flavor, new_flavor: null });
    const flavorReads = () => queries.filter((q) => /^\s*select\s+[`"]flavor[`"]/i.test(q)).length;
    expect(flavorReads()).toBe(0);
    expect(moved.flavor).toEqual(big);
    expect(moved.old_flavor).toEqual(flavor);
    expect(moved.new_flavor).toBeNull();
    queries.length = 0;
    const one = await cell.instances.update(uuid, { new_flavor: flavor });
    expect(flavorReads()).toBe(1);
    expect(one.flavor).toEqual(big);
    expect(one.old_flavor).toEqual(flavor);
    expect(one.new_flavor).toEqual(flavor);
  });

  it("soft-deletes: gone for get and list, readable with readDeleted, metadata as it was", async () => {
    const uuid = randomUUID();
    await cell.instances.create({
      uuid,
      project_id: "del",
      flavor,
      task_state: "deleting",
      metadata: { k: "v" },
    });
    await clock.advance(1_000);
    const before = await cell.instances.destroy(uuid, { expectedTaskState: "deleting" });
    expect(before.deleted).toBe(false);
    await expect(cell.instances.get(uuid)).rejects.toBeInstanceOf(NotFoundError);
    expect(await cell.instances.list({ project_id: "del" })).toEqual([]);
    const ghost = await cell.instances.get(uuid, { readDeleted: true });
    expect(ghost.deleted).toBe(true);
    expect(ghost.deleted_at).toEqual(new Date(clock.now()));
    expect(ghost.metadata).toEqual({ k: "v" });
    expect((await cell.instances.list({ project_id: "del", deleted: true })).map((i) => i.uuid)).toEqual([
      uuid,
    ]);
    await expect(cell.instances.destroy(uuid)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists with filters, sort keys, limit and marker, walking every page exactly once", async () => {
    const project = `page-${randomUUID()}`;
    const uuids: string[] = [];
    for (let i = 0; i < 23; i++) {
      await clock.advance(i % 3 === 0 ? 0 : 1000); // some equal created_at values, so the tiebreak matters
      const uuid = randomUUID();
      uuids.push(uuid);
      await cell.instances.create({
        uuid,
        project_id: project,
        host: i % 2 === 0 ? "h-even" : "h-odd",
        vm_state: i % 5 === 0 ? "error" : "active",
        display_name: `vm-${String(i % 7)}`,
        flavor,
      });
    }
    const all = await cell.instances.list({ project_id: project });
    expect(all).toHaveLength(23);
    // Default order: created_at desc, id desc.
    expect(all.map((i) => i.uuid)).toEqual([...uuids].reverse());

    const pages: string[][] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await cell.instances.list(
        { project_id: project, host: "h-even" },
        {
          sortKeys: ["display_name", "created_at"],
          sortDirs: ["asc", "desc"],
          limit: 5,
          ...(marker ? { marker } : {}),
        },
      );
      if (page.length === 0) break;
      pages.push(page.map((i) => i.uuid));
      marker = page[page.length - 1]?.uuid;
    }
    const walked = pages.flat();
    const expected = all
      .filter((i) => i.host === "h-even")
      .sort((a, b) =>
        (a.display_name ?? "") < (b.display_name ?? "")
          ? -1
          : (a.display_name ?? "") > (b.display_name ?? "")
            ? 1
            : b.created_at!.getTime() - a.created_at!.getTime() || b.id - a.id,
      )
      .map((i) => i.uuid);
    expect(walked).toEqual(expected);
    expect(pages.slice(0, -1).every((p) => p.length === 5)).toBe(true);

    const errors = await cell.instances.list({ project_id: project, vm_state: ["error"] });
    expect(errors.map((i) => i.uuid).sort()).toEqual(uuids.filter((_, i) => i % 5 === 0).sort());
    await expect(cell.instances.list({}, { marker: randomUUID() })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
    await expect(cell.instances.list({}, { sortKeys: ["user_data" as "uuid"] })).rejects.toBeInstanceOf(
      InvalidSortKeyError,
    );
  });

  it("never issues a query per row: listing 5 or 50 instances costs the same number of queries", async () => {
    const project = `count-${randomUUID()}`;
    for (let i = 0; i < 50; i++)
      await cell.instances.create({
        uuid: randomUUID(),
        project_id: project,
        flavor,
        metadata: { i: String(i) },
        system_metadata: { s: "x" },
      });
    const countFor = async (limit: number) => {
      queries.length = 0;
      const got = await cell.instances.list({ project_id: project }, { limit }, { withFault: true });
      expect(got).toHaveLength(limit);
      expect(got.every((g) => Object.keys(g.metadata).length === 1)).toBe(true);
      return queries.filter((q) => /^\s*select/i.test(q)).length;
    };
    const small = await countFor(5);
    const big = await countFor(50);
    expect(big).toBe(small);
    expect(big).toBeLessThanOrEqual(5);
  });

  it("loads the latest fault and counts quota usage", async () => {
    const uuid = randomUUID();
    const project = `usage-${randomUUID()}`;
    await cell.instances.create({
      uuid,
      project_id: project,
      user_id: "u1",
      vcpus: 2,
      memory_mb: 512,
      vm_state: "error",
      flavor,
    });
    await cell.instances.create({
      uuid: randomUUID(),
      project_id: project,
      user_id: "u2",
      vcpus: 1,
      memory_mb: 64,
      flavor,
    });
    await cell.faults.create({ instance_uuid: uuid, code: 500, message: "first", host: "h1" });
    await clock.advance(1_000);
    await cell.faults.create({
      instance_uuid: uuid,
      code: 400,
      message: "No valid host was found.",
      details: "x".repeat(2000),
    });
    const inst = await cell.instances.get(uuid, { withFault: true });
    expect(inst.fault).toMatchObject({ code: 400, message: "No valid host was found.", host: null });
    expect(inst.fault?.details).toHaveLength(2000);
    expect(await cell.instances.countUsage(project)).toEqual({ instances: 2, cores: 3, ram: 576 });
    expect(await cell.instances.countUsage(project, "u1")).toEqual({ instances: 1, cores: 2, ram: 512 });
  });

  it("keeps the changes list of a wire object separate from what is stored", async () => {
    const uuid = randomUUID();
    await cell.instances.create({ uuid, flavor });
    const incoming = InstanceCodec.fromPrimitive({
      "nova_object.name": "Instance",
      "nova_object.namespace": "nova",
      "nova_object.version": "2.7",
      "nova_object.data": { uuid, vm_state: "active", task_state: null, power_state: 1 },
      "nova_object.changes": ["vm_state", "power_state"],
    });
    // The conductor writes exactly the changed fields, as Instance.save does.
    const changed = Object.fromEntries(
      (objectChanges(incoming) ?? []).map((k) => [k, incoming[k as keyof typeof incoming]]),
    );
    const saved = await cell.instances.update(uuid, changed);
    expect(saved.vm_state).toBe("active");
    expect(saved.power_state).toBe(PowerState.RUNNING);
  });
});
