// The conductor's side of shelve offload: a compute's Instance.save that leaves the row SHELVED_OFFLOADED with
// no host gives back the claim the row held on that host, once, whichever way the compute saves it (nova-ts's
// one save, or Nova's two: vm_state first, then host and node).
import { randomUUID } from "node:crypto";
import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { adminContext, ConductorAPI, ConductorObjectsAPI } from "@nova/rpcapi";
import { HeartbeatRecorder } from "@nova/servicegroup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConductorObjectManager } from "../src/conductor-object-manager.js";
import { DbHeartbeatStore } from "../src/db-heartbeat-store.js";
import { addComputeHost, type Databases, fakeBus, openDatabases, tinyFlavor } from "./support.js";

describe("shelve offload gives the host's claim back (sqlite)", () => {
  let dbs: Databases;
  let objects: ConductorObjectsAPI;
  const bus = fakeBus();

  beforeAll(async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 27, 8));
    dbs = await openDatabases("sqlite", clock);
    const recorder = new HeartbeatRecorder({
      store: new DbHeartbeatStore(dbs.cellDb),
      clock,
      logger: silentLogger,
      batchWindowMs: 20,
    });
    const manager = new ConductorObjectManager({
      cellDb: dbs.cellDb,
      apiDb: dbs.apiDb,
      recorder,
      logger: silentLogger,
    });
    await bus.serve(bus.transport(), "conductor", "ctl-1", manager.endpoint());
    objects = new ConductorObjectsAPI(
      new ConductorAPI({ transport: bus.transport(), rpcResponseTimeout: 30 }),
    );
  });
  afterAll(async () => {
    await bus.close();
    await dbs.dispose();
  });

  /** An instance shelved on `host`, holding a claim of the tiny flavor there. */
  async function shelvedOn(host: string) {
    const node =
      (await dbs.cellDb.computeNodes.list({ host }))[0] ?? (await addComputeHost(dbs.cellDb, host));
    await dbs.cellDb.computeNodes.claim(node.uuid, { vcpus: 1, memory_mb: 512, local_gb: 1 });
    const row = await dbs.cellDb.instances.create({
      uuid: randomUUID(),
      project_id: "p",
      user_id: "u",
      vm_state: "shelved",
      task_state: "shelving_offloading",
      host,
      node: host,
      flavor: tinyFlavor,
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      ephemeral_gb: 0,
    });
    return { node, row };
  }

  const used = async (uuid: string) => {
    const n = await dbs.cellDb.computeNodes.getByUuid(uuid);
    return { vcpus: n.vcpus_used, ram: n.memory_mb_used, disk: n.local_gb_used };
  };

  it("one save (nova-ts's compute): vm_state, host and node at once", async () => {
    const { node, row } = await shelvedOn("off-1");
    expect(await used(node.uuid)).toEqual({ vcpus: 1, ram: 512, disk: 1 });
    const ctx = adminContext();
    await objects.instanceSave(
      ctx,
      { ...row, vm_state: "shelved_offloaded", task_state: null, host: null, node: null },
      ["vm_state", "task_state", "host", "node"],
      { expectedTaskState: ["shelving", "shelving_offloading"] },
    );
    expect(await used(node.uuid)).toEqual({ vcpus: 0, ram: 0, disk: 0 });
    // A repeated save (a retry) finds the task moved on and releases nothing twice.
    await expect(
      objects.instanceSave(ctx, { ...row, vm_state: "shelved_offloaded", host: null }, ["vm_state", "host"], {
        expectedTaskState: ["shelving_offloading"],
      }),
    ).rejects.toThrow();
    expect(await used(node.uuid)).toEqual({ vcpus: 0, ram: 0, disk: 0 });
  });

  it("two saves (Nova's compute): the one clearing the host releases", async () => {
    const { node, row } = await shelvedOn("off-2");
    const ctx = adminContext();
    const first = await objects.instanceSave(
      ctx,
      { ...row, vm_state: "shelved_offloaded", task_state: null },
      ["vm_state", "task_state"],
      { expectedTaskState: ["shelving", "shelving_offloading"] },
    );
    expect(await used(node.uuid)).toEqual({ vcpus: 1, ram: 512, disk: 1 });
    await objects.instanceSave(ctx, { ...first, host: null, node: null }, ["host", "node"], {
      expectedTaskState: [null],
    });
    expect(await used(node.uuid)).toEqual({ vcpus: 0, ram: 0, disk: 0 });
  });

  it("a failed build giving its row back (host cleared, still building) releases nothing here", async () => {
    const { node, row } = await shelvedOn("off-3");
    await dbs.cellDb.instances.update(row.uuid, { vm_state: "building", task_state: "spawning" });
    await objects.instanceSave(
      adminContext(),
      { ...row, vm_state: "building", host: null, node: null, task_state: "scheduling" },
      ["host", "node", "task_state"],
      { expectedTaskState: ["spawning"] },
    );
    expect(await used(node.uuid)).toEqual({ vcpus: 1, ram: 512, disk: 1 });
  });
});
