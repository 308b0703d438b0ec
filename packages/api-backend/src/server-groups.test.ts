import { InvalidRequestError, QuotaExceededError, ServerGroupNotFoundError } from "@nova/api";
import { makeCreateServerSpec, makeRequestContext } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import type { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabases } from "../test/test-databases.js";
import { DbComputeBackend } from "./db-compute-backend.js";

const IMAGE = "8a0f9a8c-0b1e-4cfa-9a3b-1a2b3c4d5e6f";
const alice = makeRequestContext({ userId: "alice", projectId: "p1" });
const bob = makeRequestContext({ userId: "bob", projectId: "p1" });

describe("DbComputeBackend server groups (Nova's InstanceGroup over the API database)", () => {
  let apiDb: ApiDatabase;
  let cellDb: CellDatabase;
  let backend: DbComputeBackend;
  let casts: number;

  beforeEach(async () => {
    let cellUuid: string;
    ({ apiDb, cellDb, cellUuid } = await openTestDatabases());
    casts = 0;
    const computeTask = {
      scheduleAndBuildInstances: async () => void casts++,
    } as unknown as ComputeTaskAPI;
    backend = new DbComputeBackend({
      clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")),
      apiDb,
      cellDb,
      cellUuid,
      computeTask,
      compute: {} as ComputeAPI,
      images: new LocalImageCatalog([{ id: IMAGE, name: "cirros", min_ram: 0, min_disk: 0 }]),
      config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
    });
  });
  afterEach(async () => {
    await apiDb.close();
    await cellDb.close();
  });

  const boot = (group: string, maxCount = 1, ctx = alice) =>
    backend.createServers(
      ctx,
      makeCreateServerSpec({
        imageRef: IMAGE,
        networks: "none",
        minCount: maxCount,
        maxCount,
        schedulerHints: { group },
      }),
    );

  it("creates, lists by project with offset paging, shows and deletes groups", async () => {
    const a = await backend.createServerGroup(alice, {
      name: "a",
      policy: "anti-affinity",
      rules: { max_server_per_host: 3 },
    });
    expect(a).toEqual({
      uuid: a.uuid,
      name: "a",
      policy: "anti-affinity",
      rules: { max_server_per_host: 3 },
      members: [],
      projectId: "p1",
      userId: "alice",
    });
    const b = await backend.createServerGroup(alice, { name: "b", policy: "soft-affinity", rules: {} });
    const other = makeRequestContext({ userId: "carol", projectId: "p2" });
    const c = await backend.createServerGroup(other, { name: "c", policy: "affinity", rules: {} });
    const ids = async (q: { projectId?: string; limit: number; offset: number }) =>
      (await backend.listServerGroups(alice, q)).map((g) => g.uuid);
    expect(await ids({ projectId: "p1", limit: 10, offset: 0 })).toEqual([a.uuid, b.uuid]);
    expect(await ids({ projectId: "p1", limit: 1, offset: 1 })).toEqual([b.uuid]);
    expect(await ids({ limit: 10, offset: 0 })).toEqual([a.uuid, b.uuid, c.uuid]);
    expect(await backend.getServerGroup(alice, b.uuid)).toMatchObject({ name: "b", rules: {} });
    await backend.deleteServerGroup(alice, b.uuid);
    await expect(backend.getServerGroup(alice, b.uuid)).rejects.toBeInstanceOf(ServerGroupNotFoundError);
    await expect(backend.deleteServerGroup(alice, b.uuid)).rejects.toBeInstanceOf(ServerGroupNotFoundError);
  });

  it("enforces the project's server_groups quota and leaves nothing behind when over it", async () => {
    await apiDb.quotas.setLimit("p1", "server_groups", 1);
    await backend.createServerGroup(alice, { name: "a", policy: "affinity", rules: {} });
    await expect(
      backend.createServerGroup(bob, { name: "b", policy: "affinity", rules: {} }),
    ).rejects.toThrow(new QuotaExceededError("Quota exceeded, too many server groups."));
    expect(await apiDb.serverGroups.count("p1")).toBe(1);
  });

  it("a boot with the group hint makes the servers members and puts the group in their request specs", async () => {
    const g = await backend.createServerGroup(alice, { name: "g", policy: "anti-affinity", rules: {} });
    const servers = await boot(g.uuid, 2);
    const uuids = servers.map((s) => s.uuid);
    expect((await backend.getServerGroup(alice, g.uuid)).members).toEqual(uuids);
    const spec = await apiDb.requestSpecs.getByInstanceUuid(uuids[0]!);
    expect(spec.instance_group).toMatchObject({ uuid: g.uuid, policy: "anti-affinity", members: uuids });
    expect(casts).toBe(1);
    // A server shows its group from 2.71.
    expect((await backend.getServer(alice, uuids[1]!)).serverGroups).toEqual([g.uuid]);
    // Deleting a server (here still a build request) takes it out of the group.
    await backend.deleteServer(alice, uuids[0]!);
    expect((await backend.getServerGroup(alice, g.uuid)).members).toEqual([uuids[1]]);
  });

  it("counts each user's servers in a group against server_group_members, with Nova's 403 message", async () => {
    await apiDb.quotas.setLimit("p1", "server_group_members", 2);
    const g = await backend.createServerGroup(alice, { name: "g", policy: "affinity", rules: {} });
    await boot(g.uuid);
    await expect(boot(g.uuid, 2)).rejects.toThrow(
      new QuotaExceededError("Quota exceeded, too many servers in group"),
    );
    // The refused boot left no member, build request or mapping.
    expect((await backend.getServerGroup(alice, g.uuid)).members).toHaveLength(1);
    expect(await apiDb.mappings.listInstanceMappings("p1")).toHaveLength(1);
    expect(casts).toBe(1);
    // The quota is per user (Nova's count_members_by_user): bob still has room.
    await boot(g.uuid, 2, bob);
    expect((await backend.getServerGroup(alice, g.uuid)).members).toHaveLength(3);
  });

  it("refuses a boot into a group that does not exist", async () => {
    const missing = "0d1e0000-0000-4000-8000-000000000000";
    await expect(boot(missing)).rejects.toThrow(
      new InvalidRequestError(`Instance group ${missing} could not be found.`),
    );
    expect(casts).toBe(0);
  });
});
