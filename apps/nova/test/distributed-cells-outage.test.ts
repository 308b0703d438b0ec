// Issue 15's outage half, as separate processes: cell 2's database stops answering (a TCP proxy in front of it
// holds every connection, as a hung or partitioned server does). Listing still answers within `cell_timeout`,
// with cell 2's servers UNKNOWN from 2.69 and left out before; boots go to cell 1; and once the database
// answers again its servers are ACTIVE in the list and boots land in cell 2 again.
import type { ComputeClient } from "@nova/client";
import { CLUSTER_IMAGE_ID } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellsCluster, startCellsCluster } from "./cells-cluster.js";

const wait = { timeoutMs: 60_000, intervalMs: 250 };
const CELL_TIMEOUT = 3;

let cells: CellsCluster;
let client: ComputeClient;

type Listed = { id: string; status: string; [k: string]: unknown };

// GET /servers/detail at a microversion, timed.
async function listDetail(microversion: string): Promise<{ servers: Listed[]; seconds: number }> {
  const started = Date.now();
  const res = await client.with({ microversion }).request("GET", "/servers/detail");
  expect(res.status).toBe(200);
  return { servers: (res.body as { servers: Listed[] }).servers, seconds: (Date.now() - started) / 1000 };
}

async function boot(name: string, host?: string): Promise<string> {
  const created = await client.createServer({
    name,
    flavorRef: "1",
    imageRef: CLUSTER_IMAGE_ID,
    ...(host ? { availability_zone: `nova:${host}` } : {}),
  });
  return created.id;
}

beforeAll(async () => {
  cells = await startCellsCluster({
    prefix: "cellsout",
    proxyCell2: true,
    conf: { DEFAULT: { cell_timeout: CELL_TIMEOUT } },
  });
  client = cells.client;
}, 180_000);

afterAll(async () => {
  cells?.proxy?.resume(); // so the processes can stop cleanly
  await cells?.dispose();
}, 60_000);

describe("cells v2: one cell's database stops answering, then comes back", () => {
  const servers: Record<string, string> = {};

  it("has a server ACTIVE in each cell", async () => {
    servers.one = await boot("in-cell1", "compute-1");
    servers.two = await boot("in-cell2", "compute-2");
    for (const id of Object.values(servers)) await client.waitForServerStatus(id, "ACTIVE", wait);
    expect(await cells.cellOf(servers.two)).toBe(cells.cell.cell2);
  }, 120_000);

  it("lists within the timeout: cell 2's servers UNKNOWN from 2.69, left out before", async () => {
    cells.proxy!.hold();
    const at269 = await listDetail("2.69");
    // Generous for a loaded machine: what matters is that it does not wait for the cell (held for ever).
    expect(at269.seconds).toBeLessThan(CELL_TIMEOUT * 5);
    const byId = new Map(at269.servers.map((s) => [s.id, s]));
    expect(byId.get(servers.one!)?.status).toBe("ACTIVE");
    const partial = byId.get(servers.two!);
    expect(partial?.status).toBe("UNKNOWN");
    // Nova's partial record for a down cell: what the instance mapping knows, no name or flavor.
    expect(partial).toMatchObject({
      id: servers.two,
      tenant_id: expect.any(String),
      created: expect.any(String),
    });
    expect(partial?.links).toEqual(expect.arrayContaining([expect.objectContaining({ rel: "self" })]));
    expect(partial).not.toHaveProperty("name");

    const before = await listDetail("2.68");
    expect(before.seconds).toBeLessThan(CELL_TIMEOUT * 5);
    expect(before.servers.map((s) => s.id)).toEqual([servers.one]);
  }, 60_000);

  it("boots go to cell 1 while cell 2 does not answer", async () => {
    // Two boots: the scheduler asks the cells in turn, so one of them would have been cell 2's turn.
    const ids = [await boot("during-1"), await boot("during-2")];
    for (const id of ids) {
      const active = await client.waitForServerStatus(id, "ACTIVE", wait);
      expect(active["OS-EXT-SRV-ATTR:host"]).toBe("compute-1");
      expect(await cells.cellOf(id)).toBe(cells.cell.cell1);
      await client.deleteServer(id);
      await client.waitForServerDeleted(id, wait);
    }
  }, 180_000);

  it("recovers when the cell is back: its servers ACTIVE again, and boots land in it", async () => {
    cells.proxy!.resume();
    await cells.cluster.until(
      "cell 2's server listed ACTIVE again",
      async () => {
        const { servers: listed } = await listDetail("2.69");
        return listed.find((s) => s.id === servers.two)?.status === "ACTIVE" ? true : undefined;
      },
      60_000,
    );
    // Unpinned boots until one lands in cell 2 (the scheduler takes it back once its host states refresh).
    const landed = await cells.cluster.until(
      "a boot to land in cell 2",
      async () => {
        const id = await boot("after");
        const active = await client.waitForServerStatus(id, "ACTIVE", wait);
        if (active["OS-EXT-SRV-ATTR:host"] === "compute-2") return id;
        await client.deleteServer(id);
        await client.waitForServerDeleted(id, wait);
        return undefined;
      },
      120_000,
    );
    expect(await cells.cellOf(landed)).toBe(cells.cell.cell2);
    const { servers: listed } = await listDetail("2.69");
    expect(listed.filter((s) => s.status !== "ACTIVE")).toEqual([]);
  }, 240_000);
});
