// Cells v2 as separate processes: a super conductor (its [database] is cell0's) with nova-api and nova-scheduler
// on the top-level vhost, and two cells each with its own vhost, MariaDB database, conductor and compute.
// Boots land in the cell of the host they are sent to, an unschedulable one in cell0 with its fault, an action
// reaches the second cell's compute over that cell's broker, and deletes work in both cells.
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { type ApiDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { CELL0_UUID } from "@nova/objects";
import {
  CLUSTER_IMAGE_ID,
  createTestDatabase,
  createTestVhost,
  ProcessCluster,
  type TestDatabase,
  type TestVhost,
} from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const wait = { timeoutMs: 45_000, intervalMs: 200 };

let cluster: ProcessCluster;
let client: ComputeClient;
let apiDb: ApiDatabase;
const made: { vhosts: TestVhost[]; dbs: TestDatabase[] } = { vhosts: [], dbs: [] };
const cell = { cell1: "", cell2: "" };

/** Where the API database maps the server. */
async function cellOf(id: string): Promise<string | undefined> {
  return (await apiDb.mappings.getInstanceMapping(id)).cell_mapping?.uuid;
}

beforeAll(async () => {
  cluster = await ProcessCluster.create({
    root,
    prefix: "cells",
    conf: {
      DEFAULT: { report_interval: 1, service_down_time: 6, rpc_response_timeout: 10 },
      scheduler: { host_state_refresh_interval: 1, discover_hosts_in_cells_interval: 1 },
      fake: { vcpus: 4, memory_mb: 4096, local_gb: 100, spawn_delay: 0 },
    },
  });
  apiDb = openApiDatabase(cluster.apiDb.url);
  // simple_cell_setup put cell1 on the top-level vhost: give it one of its own, and make cell2 beside it.
  const [vhost1, vhost2, db2] = await Promise.all([
    createTestVhost("nova-cells-c1"),
    createTestVhost("nova-cells-c2"),
    createTestDatabase("cells_c2"),
  ]);
  made.vhosts.push(vhost1, vhost2);
  made.dbs.push(db2);
  const cells = await apiDb.mappings.listCells();
  cell.cell1 = cells.find((c) => c.uuid !== CELL0_UUID)!.uuid;
  await apiDb.mappings.updateCell(cell.cell1, { transport_url: vhost1.transportUrl });
  const cell2Db = openCellDatabase(db2.url);
  await cell2Db.sync(); // nova-manage db sync --local_cell, in process to keep the test short
  await cell2Db.close();
  cell.cell2 = (
    await apiDb.mappings.createCell({
      name: "cell2",
      transport_url: vhost2.transportUrl,
      database_connection: db2.url,
    })
  ).uuid;
  // In process rather than by nova-manage: two fewer processes to start on a shared machine.
  await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
  await apiDb.flavors.create({ name: "huge", flavorid: "huge", memory_mb: 40000, vcpus: 1, root_gb: 1 });

  const cell0Url = (await apiDb.mappings.getCell(CELL0_UUID)).database_connection;
  const inCell = (vhost: TestVhost, host: string, db?: string) => ({
    OS_DEFAULT__HOST: host,
    OS_DEFAULT__TRANSPORT_URL: vhost.transportUrl,
    ...(db ? { OS_DATABASE__CONNECTION: db } : {}),
  });
  const starting = [
    // The super conductor registers in cell0, as Nova's devstack sets it up.
    cluster.start("nova-conductor", "super-conductor", {
      OS_DEFAULT__HOST: "super-conductor",
      OS_DATABASE__CONNECTION: cell0Url,
    }),
    cluster.start("nova-conductor", "conductor-cell1", inCell(vhost1, "conductor-cell1")),
    cluster.start("nova-conductor", "conductor-cell2", inCell(vhost2, "conductor-cell2", db2.url)),
    // Every cell is mapped before it starts: it loads their host states, and maps new hosts itself.
    cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" }),
  ];
  await Promise.all(starting.map((p) => cluster.started(p)));
  cluster.start("nova-compute", "compute-1", inCell(vhost1, "compute-1"));
  cluster.start("nova-compute", "compute-2", inCell(vhost2, "compute-2"));
  cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  // The scheduler's periodic discover_hosts maps each compute to its cell once its node is recorded there.
  await cluster.until(
    "both computes mapped to their cells",
    async () => {
      const mapped = await apiDb.mappings.listHostMappings();
      const byHost = new Map(mapped.map((m) => [m.host, m.cell_mapping?.uuid]));
      return byHost.get("compute-1") === cell.cell1 && byHost.get("compute-2") === cell.cell2
        ? true
        : undefined;
    },
    90_000,
  );
}, 180_000);

afterAll(async () => {
  await cluster?.dispose();
  await apiDb?.close();
  await Promise.allSettled([...made.vhosts, ...made.dbs].map((m) => m.dispose()));
}, 60_000);

describe("cells v2: a super conductor building into two cells, each with its own broker and database", () => {
  const servers: Record<string, string> = {};

  it("boots land in the cell of the host they are sent to", async () => {
    for (const host of ["compute-1", "compute-2"]) {
      const created = await client.createServer({
        name: `on-${host}`,
        flavorRef: "1",
        imageRef: CLUSTER_IMAGE_ID,
        availability_zone: `nova:${host}`,
      });
      servers[host] = created.id;
    }
    for (const [host, id] of Object.entries(servers)) {
      const active = await client.waitForServerStatus(id, "ACTIVE", wait);
      expect(active["OS-EXT-SRV-ATTR:host"]).toBe(host);
    }
    expect(await cellOf(servers["compute-1"]!)).toBe(cell.cell1);
    expect(await cellOf(servers["compute-2"]!)).toBe(cell.cell2);
    // The row is in its cell's database only.
    const db2 = openCellDatabase(made.dbs[0]!.url);
    try {
      expect((await db2.instances.get(servers["compute-2"]!)).host).toBe("compute-2");
      await expect(db2.instances.get(servers["compute-1"]!)).rejects.toThrow(/could not be found/);
    } finally {
      await db2.close();
    }
  });

  it("an unschedulable boot lands in cell0, ERROR with its fault", async () => {
    const created = await client.createServer({
      name: "too-big",
      flavorRef: "huge",
      imageRef: CLUSTER_IMAGE_ID,
    });
    const failed = await client.waitForServerStatus(created.id, "ERROR", wait);
    expect(failed.fault?.message).toMatch(/No valid host was found/);
    expect(await cellOf(created.id)).toBe(CELL0_UUID);
    await client.deleteServer(created.id);
    await client.waitForServerDeleted(created.id, wait);
  });

  it("stop and start reach the second cell's compute over its broker", async () => {
    const id = servers["compute-2"]!;
    await client.stopServer(id);
    expect((await client.waitForServerStatus(id, "SHUTOFF", wait)).status).toBe("SHUTOFF");
    await client.startServer(id);
    expect((await client.waitForServerStatus(id, "ACTIVE", wait)).status).toBe("ACTIVE");
  });

  it("deletes work in both cells", async () => {
    for (const id of Object.values(servers)) await client.deleteServer(id);
    for (const id of Object.values(servers)) await client.waitForServerDeleted(id, wait);
    const left = await client.listServers();
    expect(left.servers.map((s) => s.id)).toEqual([]);
  });
});
