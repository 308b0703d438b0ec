import { randomUUID } from "node:crypto";
import { createApiServer } from "@nova/api";
import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { Transport } from "@nova/messaging";
import { CELL0_UUID } from "@nova/objects";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellAccess, scatterGather } from "../src/cell-scatter.js";
import { DbComputeBackend } from "../src/db-compute-backend.js";

// nova-api over three cell databases (cell0, cell1, cell2): servers are found through their mappings, lists
// merge the cells with exact marker paging, and a cell that does not answer is skipped (UNKNOWN from 2.69).

const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
let apiDb: ApiDatabase;
const dbs = new Map<string, CellDatabase>();
const down = new Set<string>();
let cell1 = "";
let cell2 = "";
let transport: Transport;
let api: ReturnType<typeof createApiServer>;
let root = "";
const byCell = new Map<string, string[]>();

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
const get = async (path: string, version = "2.79"): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${root}/v2.1${path}`, {
    headers: { "X-Auth-Token": "admin:admin", "OpenStack-API-Version": `compute ${version}` },
  });
  return { status: res.status, body: await res.json() };
};

async function listAll(query: string, limit: number, version = "2.79"): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 50; page++) {
    const m = marker ? `&marker=${marker}` : "";
    const { status, body } = await get(`/servers?all_tenants=1&limit=${limit}${query}${m}`, version);
    expect(status).toBe(200);
    const got = (body.servers as { id: string }[]).map((s) => s.id);
    ids.push(...got);
    if (got.length < limit) return ids;
    marker = got[got.length - 1];
  }
  throw new Error("paging did not end");
}

beforeAll(async () => {
  apiDb = openApiDatabase("sqlite://", { clock });
  await apiDb.sync();
  await apiDb.mappings.ensureCell0("fake://", "sqlite://?cell0");
  cell1 = (
    await apiDb.mappings.createCell({
      name: "cell1",
      transport_url: "fake://",
      database_connection: "sqlite://?c1",
    })
  ).uuid;
  cell2 = (
    await apiDb.mappings.createCell({
      name: "cell2",
      transport_url: "fake://",
      database_connection: "sqlite://?c2",
    })
  ).uuid;
  for (const uuid of [CELL0_UUID, cell1, cell2]) {
    const db = openCellDatabase("sqlite://", { clock });
    await db.sync();
    dbs.set(uuid, db);
    byCell.set(uuid, []);
  }
  await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
  transport = new Transport("fake://", { options: { control_exchange: "nova" } });
  const compute = new ComputeAPI({ transport });
  const cells: CellAccess = {
    cells: async () =>
      (await apiDb.mappings.listCells()).map((c) => ({ uuid: c.uuid, name: c.name ?? null })),
    database: async (uuid) => {
      // A cell whose database refuses connections, as a stopped MariaDB does.
      if (down.has(uuid)) throw new Error(`connect ECONNREFUSED (cell ${uuid})`);
      return dbs.get(uuid)!;
    },
    compute: async () => compute,
  };
  const backend = new DbComputeBackend({
    apiDb,
    cellDb: dbs.get(cell1)!,
    cellUuid: cell1,
    cells,
    computeTask: new ComputeTaskAPI({ transport }),
    compute,
    images: new LocalImageCatalog([]),
    clock,
    config: {
      serviceDownTime: 60,
      defaultAvailabilityZone: "nova",
      instanceNameTemplate: "instance-%08x",
      cellTimeout: 60,
    },
  });
  // Servers spread over the cells in turn, with few distinct names and equal creation times, so the merge
  // and the ties decide the pages.
  const order = [cell1, cell2, CELL0_UUID, cell2, cell1, cell1, cell2, CELL0_UUID, cell2, cell1, cell2];
  for (const [i, cell] of order.entries()) {
    const uuid = randomUUID();
    await dbs.get(cell)!.instances.create({
      uuid,
      project_id: i % 2 === 0 ? "p1" : "p2",
      user_id: "u1",
      display_name: ["a", "b", "c"][i % 3]!,
      host: cell === CELL0_UUID ? null : `host-${i % 2}`,
      vm_state: cell === CELL0_UUID ? "error" : "active",
      memory_mb: 512,
      vcpus: 1,
      created_at: new Date(clock.now() + Math.floor(i / 3) * 1000),
    });
    await apiDb.mappings.createInstanceMapping({
      instance_uuid: uuid,
      project_id: i % 2 === 0 ? "p1" : "p2",
      user_id: "u1",
      cell_uuid: cell,
    });
    byCell.get(cell)!.push(uuid);
  }
  for (const [cell, host] of [
    [cell1, "cpu-a"],
    [cell2, "cpu-b"],
  ] as const) {
    await dbs.get(cell)!.services.create({ host, binary: "nova-compute", topic: "compute" });
    await apiDb.mappings.mapHost(host, cell);
  }
  api = createApiServer({ backend, logger: silentLogger });
  root = `http://127.0.0.1:${(await api.listen(0)).port}`;
});

afterAll(async () => {
  await api?.close();
  await transport?.close();
  for (const db of dbs.values()) await db.close();
  await apiDb?.close();
});

describe("servers across cells", () => {
  it("shows each server from its own cell", async () => {
    for (const [cell, uuids] of byCell) {
      for (const uuid of uuids) {
        const { status, body } = await get(`/servers/${uuid}`);
        expect(status).toBe(200);
        expect(body.server.id).toBe(uuid);
        expect(body.server.status).toBe(cell === CELL0_UUID ? "ERROR" : "ACTIVE");
      }
    }
  });

  it.each(["", "&sort_key=display_name&sort_dir=asc", "&sort_key=display_name&sort_dir=desc&sort_key=uuid"])(
    "walks every cell's servers exactly once in the unpaged order (%s)",
    async (sort) => {
      const all = await listAll(sort, 1000);
      expect(new Set(all)).toEqual(new Set([...byCell.values()].flat()));
      for (const limit of [1, 2, 3, 4]) expect(await listAll(sort, limit)).toEqual(all);
    },
  );

  it("spans the cells in os-services, os-hypervisors statistics and quota usage", async () => {
    const services = await get("/os-services?binary=nova-compute");
    expect(services.body.services.map((s: { host: string }) => s.host).sort()).toEqual(["cpu-a", "cpu-b"]);
    const usage = await get("/os-quota-sets/p1/detail");
    // p1 owns the even-numbered servers: six, in all three cells.
    expect(usage.body.quota_set.instances.in_use).toBe(6);
  });

  it("skips a cell that does not answer, lists its servers UNKNOWN from 2.69, and recovers", async () => {
    down.add(cell2);
    try {
      const inCell2 = byCell.get(cell2)!;
      const before = await listAll("", 2, "2.68");
      expect(before).toHaveLength(11 - inCell2.length);
      expect(before.some((id) => inCell2.includes(id))).toBe(false);

      const detail = await get("/servers/detail?all_tenants=1", "2.69");
      expect(detail.status).toBe(200);
      const unknown = detail.body.servers.filter((s: { status: string }) => s.status === "UNKNOWN");
      expect(unknown.map((s: { id: string }) => s.id).sort()).toEqual([...inCell2].sort());
      expect(Object.keys(unknown[0]).sort()).toEqual(["created", "id", "links", "status", "tenant_id"]);
      const index = await get("/servers?all_tenants=1&project_id=p1", "2.69");
      expect(
        index.body.servers.filter((s: { status?: string }) => s.status === "UNKNOWN").length,
      ).toBeGreaterThan(0);

      const show = await get(`/servers/${inCell2[0]}`);
      expect(show.status).toBe(503);
      expect(Object.values(show.body as Record<string, { message: string }>)[0]!.message).toContain("cell2");

      const services = await get("/os-services?binary=nova-compute", "2.68");
      expect(services.body.services.map((s: { host: string }) => s.host)).toEqual(["cpu-a"]);
      const partial = await get("/os-services?binary=nova-compute", "2.69");
      expect(partial.body.services[1]).toEqual({ binary: "nova-compute", host: "cpu-b", status: "UNKNOWN" });
      expect(partial.body.services[0]).toMatchObject({ host: "cpu-a", status: "enabled", state: "up" });
    } finally {
      down.delete(cell2);
    }
    expect(await listAll("", 3)).toHaveLength(11);
  });
});

describe("scatterGather", () => {
  it("answers for every cell, a silent one as timed out once cell_timeout passes", async () => {
    const fake = new FakeClock();
    const cells = [
      { uuid: "a", name: "a" },
      { uuid: "b", name: "b" },
      { uuid: "c", name: "c" },
    ];
    const gathered = scatterGather(
      cells,
      (cell) => {
        if (cell.uuid === "a") return Promise.resolve(1);
        if (cell.uuid === "b") return Promise.reject(new Error("refused"));
        return new Promise<number>(() => {});
      },
      { timeoutMs: 60_000, clock: fake },
    );
    await fake.advance(60_000);
    const answers = await gathered;
    expect(answers.map((a) => (a.ok ? a.value : a.reason))).toEqual([1, "error", "timeout"]);
  });
});
