import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InstanceInvalidStateError, InstanceIsLockedError } from "@nova/api";
import { makeCreateServerSpec, makeRequestContext } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { createTestDatabase } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbComputeBackend } from "../src/db-compute-backend.js";

// The backend's server updates, metadata, tags and lock over real databases, SQLite and MariaDB alike.

const IMAGE = "8a0f9a8c-0b1e-4cfa-9a3b-1a2b3c4d5e6f";
const alice = makeRequestContext({ userId: "alice", projectId: "a11ce" });
const admin = makeRequestContext({ userId: "admin", projectId: "admin", isAdmin: true, roles: ["admin"] });

async function freshUrl(engine: "sqlite" | "mariadb", prefix: string) {
  if (engine === "mariadb") return createTestDatabase(prefix);
  const path = join(tmpdir(), `nova-${prefix}-${randomBytes(6).toString("hex")}.db`);
  return {
    url: `sqlite:///${path}`,
    dispose: async () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

describe.each(["sqlite", "mariadb"] as const)("server updates over the databases (%s)", (engine) => {
  const clock = new FakeClock(Date.parse("2026-11-27T07:00:00Z"));
  const disposers: (() => Promise<void>)[] = [];
  let apiDb: ApiDatabase;
  let cellDb: CellDatabase;
  let cellUuid: string;
  let transport: Transport;
  let backend: DbComputeBackend;

  beforeAll(async () => {
    const apiUrl = await freshUrl(engine, "upd_api");
    const cellUrl = await freshUrl(engine, "upd_cell");
    disposers.push(apiUrl.dispose, cellUrl.dispose);
    apiDb = openApiDatabase({ connection: apiUrl.url, max_pool_size: 2 }, { clock });
    cellDb = openCellDatabase({ connection: cellUrl.url, max_pool_size: 2 }, { clock });
    await apiDb.sync();
    await cellDb.sync();
    cellUuid = (
      await apiDb.mappings.createCell({
        name: "cell1",
        transport_url: "fake://",
        database_connection: cellUrl.url,
      })
    ).uuid;
    await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
    transport = new Transport("fake://", { options: { control_exchange: "nova" } });
    backend = new DbComputeBackend({
      apiDb,
      cellDb,
      cellUuid,
      computeTask: new ComputeTaskAPI({ transport }),
      compute: new ComputeAPI({ transport }),
      images: new LocalImageCatalog([{ id: IMAGE, name: "cirros", min_ram: 0, min_disk: 0 }]),
      clock,
      config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
    });
  });

  afterAll(async () => {
    await transport.close();
    await apiDb.close();
    await cellDb.close();
    for (const dispose of disposers) await dispose();
  });

  // An ACTIVE server in the cell, mapped there.
  async function server(fields: Record<string, unknown> = {}): Promise<string> {
    const uuid = randomUUID();
    await apiDb.mappings.createInstanceMapping({
      instance_uuid: uuid,
      project_id: "a11ce",
      user_id: "alice",
    });
    await apiDb.mappings.setInstanceCell(uuid, cellUuid);
    await cellDb.instances.create({
      uuid,
      project_id: "a11ce",
      user_id: "alice",
      display_name: "web",
      vm_state: "active",
      host: "h1",
      metadata: { a: "1" },
      ...fields,
    });
    return uuid;
  }

  it("updates the instance row, and a build request's instance before it reaches a cell", async () => {
    const id = await server();
    const updated = await backend.updateServer(alice, id, {
      name: "renamed",
      description: null,
      hostname: "new-host",
      accessIPv4: "10.0.0.7",
      autoDiskConfig: true,
    });
    expect(updated).toMatchObject({
      name: "renamed",
      description: null,
      hostname: "new-host",
      accessIPv4: "10.0.0.7",
      autoDiskConfig: true,
    });
    await apiDb.quotas.setLimit("a11ce", "instances", -1);
    const [building] = await backend.createServers(
      alice,
      makeCreateServerSpec({ imageRef: IMAGE, networks: "none", flavorId: "1" }),
    );
    expect((await backend.updateServer(alice, building!.uuid, { name: "early" })).name).toBe("early");
    expect((await backend.getServer(alice, building!.uuid)).name).toBe("early");
  });

  it("merges, replaces and deletes metadata; refuses a lock or a task", async () => {
    const id = await server();
    expect(await backend.updateServerMetadata(alice, id, { b: "2" }, false)).toEqual({ a: "1", b: "2" });
    expect(await backend.updateServerMetadata(alice, id, { c: "3" }, true)).toEqual({ c: "3" });
    expect(await backend.deleteServerMetadataItem(alice, id, "c")).toBe(true);
    expect(await backend.deleteServerMetadataItem(alice, id, "c")).toBe(false);
    expect((await backend.getServer(alice, id)).metadata).toEqual({});
    const busy = await server({ task_state: "rebooting" });
    await expect(backend.updateServerMetadata(alice, busy, { x: "1" }, false)).rejects.toBeInstanceOf(
      InstanceInvalidStateError,
    );
    const locked = await server({ locked: true, locked_by: "admin" });
    await expect(backend.deleteServerMetadataItem(alice, locked, "a")).rejects.toBeInstanceOf(
      InstanceIsLockedError,
    );
    expect(await backend.deleteServerMetadataItem(admin, locked, "a")).toBe(true);
  });

  it("keeps tags in the cell's tags table and shows them on get and list", async () => {
    const id = await server();
    expect(await backend.addServerTag(alice, id, "blue")).toBe("added");
    expect(await backend.addServerTag(alice, id, "blue")).toBe("exists");
    expect(await backend.replaceServerTags(alice, id, ["b", "a"])).toEqual(["a", "b"]);
    expect((await backend.getServer(alice, id)).tags).toEqual(["a", "b"]);
    const listed = await backend.listServers(alice, {
      projectId: "a11ce",
      tags: ["a", "b"],
      deleted: false,
      sort: [],
      limit: 100,
    });
    expect(listed.map((s) => [s.uuid, s.tags])).toEqual([[id, ["a", "b"]]]);
    expect(await backend.deleteServerTag(alice, id, "a")).toBe(true);
    expect(await backend.deleteServerTag(alice, id, "a")).toBe(false);
    await backend.deleteServerTags(alice, id);
    expect((await backend.getServer(alice, id)).tags).toEqual([]);
  });

  it("filters lists in the database: column regex, uuid, vm_state, changes-before", async () => {
    const project = `p${randomBytes(4).toString("hex")}`;
    const make = async (fields: Record<string, unknown>) => {
      const id = await server({ project_id: project, ...fields });
      await cellDb.instances.update(id, { progress: 0 });
      return id;
    };
    clock.set(Date.parse("2026-11-27T08:00:00Z"));
    const one = await make({ node: "node-1", display_description: "front end", key_name: "k1" });
    clock.set(Date.parse("2026-11-27T09:00:00Z"));
    const two = await make({ node: "node-22", vm_state: "stopped", access_ip_v4: "10.2.0.5" });
    const list = async (q: Record<string, unknown>) =>
      (await backend.listServers(admin, { projectId: project, deleted: false, sort: [], limit: 100, ...q }))
        .map((s) => s.uuid)
        .sort();
    expect(await list({ columnRegex: { node: "2$" } })).toEqual([two]);
    expect(await list({ columnRegex: { display_description: "^front" } })).toEqual([one]);
    expect(await list({ columnRegex: { access_ip_v4: "^10\\.2" } })).toEqual([two]);
    expect(await list({ columnRegex: { key_name: "k" } })).toEqual([one]);
    expect(await list({ uuid: one })).toEqual([one]);
    expect(await list({ vmState: "stopped" })).toEqual([two]);
    expect(await list({ changesBefore: new Date("2026-11-27T08:30:00Z"), deleted: true })).toEqual([one]);
    expect(
      await list({
        changesSince: new Date("2026-11-27T08:30:00Z"),
        changesBefore: new Date("2026-11-27T09:30:00Z"),
        deleted: true,
      }),
    ).toEqual([two]);
  });

  it("locks with who and why, keeps an owner's re-lock a no-op, and unlocks", async () => {
    const id = await server();
    await backend.lockServer(alice, id, "maintenance");
    expect(await backend.getServer(alice, id)).toMatchObject({
      locked: true,
      lockedBy: "owner",
      lockedReason: "maintenance",
    });
    await backend.lockServer(alice, id, "again");
    expect((await backend.getServer(alice, id)).lockedReason).toBe("maintenance");
    await backend.unlockServer(alice, id);
    expect(await backend.getServer(alice, id)).toMatchObject({
      locked: false,
      lockedBy: null,
      lockedReason: null,
    });
    await backend.lockServer(admin, id, null);
    expect(await backend.getServer(admin, id)).toMatchObject({
      locked: true,
      lockedBy: "admin",
      lockedReason: null,
    });
    const actions = await cellDb.actions.list(id);
    expect(actions.map((a) => a.action).sort()).toEqual(["lock", "lock", "unlock"]);
  });
});
