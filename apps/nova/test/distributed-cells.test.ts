// Cells v2 as separate processes: a super conductor (its [database] is cell0's) with nova-api and nova-scheduler
// on the top-level vhost, and two cells each with its own vhost, MariaDB database, conductor and compute.
// Boots land in the cell of the host they are sent to, an unschedulable one in cell0 with its fault, an action
// reaches the second cell's compute over that cell's broker, and deletes work in both cells.
import type { ComputeClient } from "@nova/client";
import { openCellDatabase } from "@nova/db";
import { CELL0_UUID } from "@nova/objects";
import { CLUSTER_IMAGE_ID } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellsCluster, startCellsCluster } from "./cells-cluster.js";

const wait = { timeoutMs: 45_000, intervalMs: 200 };
// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

let cells: CellsCluster;
let client: ComputeClient;
const cell = { cell1: "", cell2: "" };
const cellOf = (id: string) => cells.cellOf(id);

beforeAll(async () => {
  cells = await startCellsCluster({ prefix: "cells", moreCell2Computes: ["compute-2b"] });
  client = cells.client;
  Object.assign(cell, cells.cell);
}, 180_000);

afterAll(async () => {
  await cells?.dispose();
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
    const db2 = openCellDatabase(cells.cell2Db.url);
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

  it("live migration and evacuation under the super conductor stay in the instance's cell", async () => {
    const id = servers["compute-2"]!;
    const settled = (what: string, status: string) =>
      cells.cluster.until(
        what,
        async () => {
          const s = (
            (await client.with({ microversion: "2.47" }).request("GET", `/servers/${id}`)).body as Json
          ).server;
          const res = await client.with({ microversion: "2.80" }).request("GET", "/os-migrations", {
            query: { instance_uuid: id },
          });
          const [m] = (res.body as Json).migrations as Json[];
          return s["OS-EXT-STS:task_state"] === null && m?.status === status ? { s, m } : undefined;
        },
        60_000,
      );
    // No host named: the only other host of cell 2 (compute-1, in cell 1, is never asked to take it).
    const live = await client.with({ microversion: "2.25" }).request("POST", `/servers/${id}/action`, {
      body: { "os-migrateLive": { host: null, block_migration: "auto" } },
    });
    expect(live.status).toBe(202);
    const moved = await settled("the live migration to complete", "completed");
    expect(moved.s["OS-EXT-SRV-ATTR:host"]).toBe("compute-2b");
    expect(moved.m).toMatchObject({ migration_type: "live-migration", source_compute: "compute-2" });

    // Evacuation off a killed compute-2b: back to compute-2, over cell 2's broker.
    await cells.cluster.remove(cells.cluster.get("compute-2b"), "SIGKILL");
    const v253 = client.with({ microversion: "2.53" });
    const dead = (await v253.listServices({ binary: "nova-compute" })).find((s) => s.host === "compute-2b")!;
    expect(
      (await v253.request("PUT", `/os-services/${dead.id}`, { body: { forced_down: true } })).status,
    ).toBe(200);
    const evac = await client
      .with({ microversion: "2.68" })
      .request("POST", `/servers/${id}/action`, { body: { evacuate: {} } });
    expect(evac.status).toBe(200);
    const back = await settled("the evacuation to be done", "done");
    expect(back.s["OS-EXT-SRV-ATTR:host"]).toBe("compute-2");
    expect(back.s.status).toBe("ACTIVE");
    expect(await cellOf(id)).toBe(cell.cell2);
  }, 150_000);

  it("deletes work in both cells", async () => {
    for (const id of Object.values(servers)) await client.deleteServer(id);
    for (const id of Object.values(servers)) await client.waitForServerDeleted(id, wait);
    const left = await client.listServers();
    expect(left.servers.map((s) => s.id)).toEqual([]);
  });
});
