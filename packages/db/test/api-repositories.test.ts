import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { BuildRequestCodec, CELL0_UUID, RequestSpecCodec } from "@nova/objects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDatabase, DuplicateEntryError, MarkerNotFoundError, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedApi } from "./test-backend.js";

// The boot cast captured from real Nova: a BuildRequest and a RequestSpec as the API sends them.
const boot = JSON.parse(
  readFileSync(
    new URL("./fixtures/001_cast_conductor_schedule_and_build_instances.json", import.meta.url),
    "utf8",
  ),
).oslo_message.args as { build_requests: unknown[]; request_specs: unknown[] };

describe(`API database repositories (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedApi>>;
  let api: ApiDatabase;
  beforeAll(async () => {
    ctx = await migratedApi("apirepos", { clock });
    api = ctx.api;
  });
  afterAll(async () => ctx.dispose());

  it("flavors: duplicate name or id, description, project access", async () => {
    await api.flavors.create({ name: "dup", flavorid: "dup-id", memory_mb: 64, vcpus: 1, root_gb: 0 });
    const byId = await api.flavors
      .create({ name: "other-name", flavorid: "dup-id", memory_mb: 64, vcpus: 1, root_gb: 0 })
      .catch((e: unknown) => e);
    expect(byId).toBeInstanceOf(DuplicateEntryError);
    expect((byId as DuplicateEntryError).entity).toBe("FlavorId");
    const byName = await api.flavors
      .create({ name: "dup", flavorid: "other-id", memory_mb: 64, vcpus: 1, root_gb: 0 })
      .catch((e: unknown) => e);
    expect((byName as DuplicateEntryError).entity).toBe("Flavor");
    expect((await api.flavors.updateDescription("dup-id", "a flavor")).description).toBe("a flavor");
    expect((await api.flavors.updateDescription("dup-id", null)).description).toBeNull();
    await expect(api.flavors.updateDescription("nope", "x")).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.flavors.addAccess("dup-id", "proj-1")).projects).toEqual(["proj-1"]);
    expect((await api.flavors.addAccess("dup-id", "proj-2")).projects.sort()).toEqual(["proj-1", "proj-2"]);
    const again = await api.flavors.addAccess("dup-id", "proj-1").catch((e: unknown) => e);
    expect((again as DuplicateEntryError).entity).toBe("FlavorAccess");
    await expect(api.flavors.addAccess("nope", "proj-1")).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.flavors.removeAccess("dup-id", "proj-1")).projects).toEqual(["proj-2"]);
    const gone = await api.flavors.removeAccess("dup-id", "proj-1").catch((e: unknown) => e);
    expect((gone as NotFoundError).entity).toBe("FlavorAccess");
    await api.flavors.delete("dup-id");
    await expect(api.flavors.getByFlavorId("dup-id")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("flavors: extra specs, access, filters, sort and marker", async () => {
    for (const [i, mem] of [512, 2048, 1024, 4096].entries()) {
      await api.flavors.create({
        name: `f${i}`,
        flavorid: `id-${i}`,
        memory_mb: mem,
        vcpus: i + 1,
        root_gb: 10 * i,
        extra_specs: { k: `v${i}` },
      });
    }
    await api.flavors.create({
      name: "private",
      flavorid: "p",
      memory_mb: 8192,
      vcpus: 8,
      root_gb: 80,
      is_public: false,
      projects: ["tenant-a"],
    });
    await expect(
      api.flavors.create({ name: "f0", flavorid: "other", memory_mb: 1, vcpus: 1, root_gb: 1 }),
    ).rejects.toBeInstanceOf(DuplicateEntryError);
    const f2 = await api.flavors.getByFlavorId("id-2");
    expect(f2).toMatchObject({
      name: "f2",
      memory_mb: 1024,
      extra_specs: { k: "v2" },
      projects: [],
      is_public: true,
      rxtx_factor: 1,
    });
    const page1 = await api.flavors.list(
      { is_public: true, min_memory_mb: 1000 },
      { sortKeys: ["memory_mb"], sortDirs: ["asc"], limit: 2 },
    );
    expect(page1.map((f) => f.flavorid)).toEqual(["id-2", "id-1"]);
    const page2 = await api.flavors.list(
      { is_public: true, min_memory_mb: 1000 },
      { sortKeys: ["memory_mb"], sortDirs: ["asc"], limit: 2, marker: "id-1" },
    );
    expect(page2.map((f) => f.flavorid)).toEqual(["id-3"]);
    // Nova's flavor_get_all: is_public true with a project adds the private flavors shared with it.
    expect(
      (await api.flavors.list({ is_public: true, project_id: "tenant-a" })).map((f) => f.flavorid),
    ).toContain("p");
    expect(
      (await api.flavors.list({ is_public: true, project_id: "tenant-b" })).map((f) => f.flavorid),
    ).not.toContain("p");
    expect((await api.flavors.list({ is_public: false })).map((f) => f.flavorid)).toEqual(["p"]);
    expect(
      (await api.flavors.list({ is_public: false, project_id: "tenant-b", visible_to_project: true })).map(
        (f) => f.flavorid,
      ),
    ).toEqual([]);
    await expect(api.flavors.list({}, { marker: "nope" })).rejects.toBeInstanceOf(MarkerNotFoundError);
    expect(
      (await api.flavors.updateExtraSpecs("id-2", { k: "new", "hw:numa_nodes": "1" })).extra_specs,
    ).toEqual({ k: "new", "hw:numa_nodes": "1" });
    await api.flavors.deleteExtraSpec("id-2", "k");
    await expect(api.flavors.deleteExtraSpec("id-2", "k")).rejects.toBeInstanceOf(NotFoundError);
    await api.flavors.delete("id-2");
    await expect(api.flavors.getByFlavorId("id-2")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("key pairs: unique per user, listed by name with a marker, counted", async () => {
    for (const name of ["c", "a", "b"])
      await api.keyPairs.create({
        user_id: "u1",
        name,
        fingerprint: `fp-${name}`,
        public_key: "ssh-ed25519 AAAA",
      });
    await api.keyPairs.create({ user_id: "u2", name: "a", fingerprint: "x", public_key: "y" });
    await expect(
      api.keyPairs.create({ user_id: "u1", name: "a", fingerprint: "z", public_key: "z" }),
    ).rejects.toBeInstanceOf(DuplicateEntryError);
    expect((await api.keyPairs.list("u1", { limit: 2 })).map((k) => k.name)).toEqual(["a", "b"]);
    expect((await api.keyPairs.list("u1", { marker: "b" })).map((k) => k.name)).toEqual(["c"]);
    expect(await api.keyPairs.count("u1")).toBe(3);
    expect(await api.keyPairs.get("u1", "b")).toMatchObject({ fingerprint: "fp-b", type: "ssh" });
    await api.keyPairs.delete("u1", "b");
    await expect(api.keyPairs.get("u1", "b")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("server groups: policy, rules and members", async () => {
    const g = await api.serverGroups.create({
      name: "web",
      user_id: "u1",
      project_id: "p1",
      policy: "anti-affinity",
      rules: { max_server_per_host: "1" },
    });
    expect(g).toMatchObject({
      policy: "anti-affinity",
      policies: ["anti-affinity"],
      _rules: { max_server_per_host: "1" },
      members: [],
    });
    const m1 = randomUUID();
    const m2 = randomUUID();
    expect((await api.serverGroups.addMembers(g.uuid, [m1, m2, m1])).members).toEqual([m1, m2]);
    expect((await api.serverGroups.getByInstance(m2))?.uuid).toBe(g.uuid);
    await api.serverGroups.removeMembers(g.uuid, [m1]);
    expect((await api.serverGroups.get(g.uuid)).members).toEqual([m2]);
    expect(await api.serverGroups.count("p1")).toBe(1);
    expect((await api.serverGroups.list("p1")).map((x) => x.uuid)).toEqual([g.uuid]);
    await api.serverGroups.delete(g.uuid);
    await expect(api.serverGroups.get(g.uuid)).rejects.toBeInstanceOf(NotFoundError);
    expect(await api.serverGroups.getByInstance(m2)).toBeNull();
  });

  it("server group members: counted per user among mapped, undeleted servers; removed with their server", async () => {
    // Its own project: the mappings test below counts p1's.
    const g = await api.serverGroups.create({
      name: "m",
      user_id: "u1",
      project_id: "psg",
      policy: "affinity",
    });
    const [mine, other, deleted, unmapped] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const [uuid, user] of [
      [mine, "u1"],
      [other, "u2"],
      [deleted, "u1"],
    ] as const) {
      await api.mappings.createInstanceMapping({ instance_uuid: uuid, project_id: "psg", user_id: user });
    }
    await api.mappings.queueInstanceForDelete(deleted);
    await api.serverGroups.addMembers(g.uuid, [mine, other, deleted, unmapped]);
    // Nova's count_members_by_user: only u1's servers that are not deleted.
    expect(await api.serverGroups.countMembersByUser(g.uuid, "u1")).toBe(1);
    expect(await api.serverGroups.countMembersByUser(g.uuid, "u2")).toBe(1);
    await api.serverGroups.removeInstance(mine);
    expect(await api.serverGroups.countMembersByUser(g.uuid, "u1")).toBe(0);
    expect((await api.serverGroups.get(g.uuid)).members).toEqual([other, deleted, unmapped]);
    await api.serverGroups.delete(g.uuid);
  });

  it("quotas: defaults, project and user limits, usage", async () => {
    expect((await api.quotas.getLimits("p9")).instances).toBe(10);
    await api.quotas.setLimit("p9", "instances", 3);
    await api.quotas.setLimit("p9", "instances", 4);
    await api.quotas.setLimit("p9", "cores", 2, "u1");
    expect(await api.quotas.getLimits("p9")).toMatchObject({ instances: 4, cores: 20 });
    expect(await api.quotas.getLimits("p9", "u1")).toMatchObject({ instances: 4, cores: 2 });
    const usage = await api.quotas.usage("p9", { instances: 2, cores: 3 }, "u1");
    expect(usage.find((u) => u.resource === "cores")).toEqual({
      project_id: "p9",
      user_id: "u1",
      resource: "cores",
      limit: 2,
      in_use: 3,
    });
  });

  it("build requests and request specs keep Nova's wire objects exactly", async () => {
    const br = BuildRequestCodec.fromPrimitive(boot.build_requests[0]);
    const stored = await api.buildRequests.create({
      instance_uuid: br.instance_uuid!,
      project_id: br.project_id!,
      instance: br.instance!,
      block_device_mappings: br.block_device_mappings!,
      tags: br.tags!,
    });
    expect(stored.instance).toEqual(br.instance);
    expect(stored.block_device_mappings).toEqual(br.block_device_mappings);
    await expect(api.buildRequests.create({ ...stored })).rejects.toBeInstanceOf(DuplicateEntryError);
    expect((await api.buildRequests.listByProject("admin")).map((b) => b.instance_uuid)).toEqual([
      br.instance_uuid,
    ]);
    expect(await api.buildRequests.countByProject("admin")).toBe(1);
    expect(await api.buildRequests.countByProject("nobody")).toBe(0);
    // The quota's pending usage is summed in SQL from the stored wire object.
    const data = br.instance!;
    const pending = { instances: 1, cores: Number(data.vcpus), ram: Number(data.memory_mb) };
    expect(pending.cores).toBeGreaterThan(0);
    expect(await api.buildRequests.pendingUsage("admin")).toEqual(pending);
    expect(await api.buildRequests.pendingUsage("admin", String(data.user_id))).toEqual(pending);
    expect(await api.buildRequests.pendingUsage("admin", "someone-else")).toEqual({
      instances: 0,
      cores: 0,
      ram: 0,
    });
    expect(await api.buildRequests.pendingUsage("nobody")).toEqual({ instances: 0, cores: 0, ram: 0 });
    expect(await api.buildRequests.delete(br.instance_uuid!)).toBe(true);
    expect(await api.buildRequests.delete(br.instance_uuid!)).toBe(false);
    expect(await api.buildRequests.countByProject("admin")).toBe(0);

    const spec = RequestSpecCodec.fromPrimitive(boot.request_specs[0]);
    await api.requestSpecs.save({ ...spec, instance_uuid: spec.instance_uuid! });
    const back = await api.requestSpecs.getByInstanceUuid(spec.instance_uuid!);
    const { id: _a, ...backFields } = back;
    const { id: _b, ...specFields } = spec;
    expect(backFields).toEqual(specFields);
    await api.requestSpecs.save({ ...spec, instance_uuid: spec.instance_uuid!, num_instances: 2 });
    expect((await api.requestSpecs.getByInstanceUuid(spec.instance_uuid!)).num_instances).toBe(2);
    // Two first saves of one instance's spec at once: neither fails, one of them is kept.
    const racing = randomUUID();
    await Promise.all(
      [3, 4].map((n) => api.requestSpecs.save({ ...spec, instance_uuid: racing, num_instances: n })),
    );
    expect([3, 4]).toContain((await api.requestSpecs.getByInstanceUuid(racing)).num_instances);
  });

  it("cell, host and instance mappings", async () => {
    const cell0 = await api.mappings.ensureCell0("none:///", "sqlite://");
    expect(cell0.uuid).toBe(CELL0_UUID);
    expect((await api.mappings.ensureCell0("x", "y")).id).toBe(cell0.id);
    const cell1 = await api.mappings.createCell({
      name: "cell1",
      transport_url: "rabbit://guest:guest@127.0.0.1:5672/",
      database_connection: "mysql+pymysql://root@127.0.0.1/nova_cell1",
    });
    expect((await api.mappings.listCells()).map((c) => c.name)).toEqual(["cell0", "cell1"]);
    const hm = await api.mappings.mapHost("peer-cpu-1", cell1.uuid);
    expect(hm.cell_mapping).toEqual(cell1);
    await expect(api.mappings.mapHost("peer-cpu-1", cell1.uuid)).rejects.toBeInstanceOf(DuplicateEntryError);
    // Deleting a compute service forgets its host's cell, so the host can be discovered again.
    expect(await api.mappings.unmapHost("peer-cpu-1")).toBe(true);
    expect(await api.mappings.unmapHost("peer-cpu-1")).toBe(false);
    await expect(api.mappings.getHostMapping("peer-cpu-1")).rejects.toMatchObject({ code: "DB_NOT_FOUND" });
    expect((await api.mappings.mapHost("peer-cpu-1", cell1.uuid)).host).toBe("peer-cpu-1");
    const uuid = randomUUID();
    const im = await api.mappings.createInstanceMapping({
      instance_uuid: uuid,
      project_id: "p1",
      user_id: "u1",
    });
    expect(im.cell_mapping).toBeNull();
    await clock.advance(3_000);
    expect((await api.mappings.setInstanceCell(uuid, cell1.uuid)).cell_mapping?.uuid).toBe(cell1.uuid);
    // A missing cell leaves the mapping alone and says the cell is missing; a missing mapping says so.
    await expect(api.mappings.setInstanceCell(uuid, randomUUID())).rejects.toMatchObject({
      entity: "CellMapping",
    });
    expect((await api.mappings.getInstanceMapping(uuid)).cell_mapping?.uuid).toBe(cell1.uuid);
    await expect(api.mappings.setInstanceCell(randomUUID(), cell1.uuid)).rejects.toMatchObject({
      entity: "InstanceMapping",
    });
    await api.mappings.createInstanceMapping({
      instance_uuid: randomUUID(),
      project_id: "p1",
      user_id: "u1",
      cell_uuid: CELL0_UUID,
    });
    expect(await api.mappings.listInstanceMappings("p1")).toHaveLength(2);
    await api.mappings.queueInstanceForDelete(uuid);
    expect(await api.mappings.listInstanceMappings("p1")).toHaveLength(1);
    expect(await api.mappings.listInstanceMappings("p1", { includeQueuedForDelete: true })).toHaveLength(2);
    await api.mappings.deleteInstanceMapping(uuid);
    await expect(api.mappings.getInstanceMapping(uuid)).rejects.toBeInstanceOf(NotFoundError);
  });
});
