// A boot into an availability zone through the whole control plane: aggregates made over the API reach the
// scheduler (update_aggregates), which places only on the zone's hosts; the conductor records the zone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComputeClient } from "@nova/client";
import { createLogger } from "@nova/runtime";
import { tempestViolations } from "@nova/testing";
import { FakeDriver } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (running.length) await running.pop()?.();
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

const wait = { timeoutMs: 20_000, intervalMs: 50 };

async function start() {
  const dataDir = mkdtempSync(join(tmpdir(), "nova-az-"));
  // fake-1 has the most free RAM: the RAM weigher picks it whenever the zone allows.
  const aio = await createAllInOne({
    dataDir,
    apiPort: 0,
    env: { OS_DEFAULT__REPORT_INTERVAL: "1", OS_FAKE__HOST_COUNT: "3" },
    logger: createLogger("nova-test", { level: "warn" }),
    driverFor: (host) =>
      new FakeDriver({
        nodename: host,
        vcpus: 16,
        memoryMb: host === "fake-1" ? 65536 : 16384,
        localGb: 1000,
      }),
  });
  const started: typeof aio.services = [];
  for (const s of aio.services) {
    await s.start();
    started.push(s);
  }
  running.push(async () => {
    for (const s of started.reverse()) await s.stop();
    await aio.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = new ComputeClient({
    endpoint: `http://127.0.0.1:${aio.apiPort()}/v2.1`,
    token: "admin:admin",
  });
  const api = async (method: string, path: string, body?: unknown, version = "2.41") => {
    const c = new ComputeClient({
      endpoint: `http://127.0.0.1:${aio.apiPort()}/v2.1`,
      token: "admin:admin",
      microversion: version,
    });
    const r = await c.request(method, path, body !== undefined ? { body } : {});
    return { status: r.status, body: (r.body ?? null) as Json };
  };
  return { client, api };
}

describe("availability zones through the all-in-one control plane", () => {
  it("boots into a zone only on its aggregate's hosts, and shows the zone", async () => {
    const { client, api } = await start();
    await until(
      async () => (await api("GET", "/os-hypervisors", undefined, "2.1")).body.hypervisors.length === 3,
    );
    const created = await api("POST", "/os-aggregates", {
      aggregate: { name: "rack-3", availability_zone: "az1" },
    });
    const id = created.body.aggregate.id as number;
    const added = await api("POST", `/os-aggregates/${id}/action`, { add_host: { host: "fake-3" } });
    expect(added.body.aggregate).toMatchObject({ hosts: ["fake-3"], availability_zone: "az1" });
    const missing = await api("POST", `/os-aggregates/${id}/action`, { add_host: { host: "nope" } }).catch(
      (e: Error) => e,
    );
    expect(String(missing)).toMatch(/Compute host nope could not be found/);

    const zones = await api("GET", "/os-availability-zone", undefined, "2.1");
    expect(zones.body.availabilityZoneInfo.map((z: Json) => z.zoneName)).toEqual(["az1", "nova"]);
    const detail = await api("GET", "/os-availability-zone/detail", undefined, "2.1");
    const az1 = detail.body.availabilityZoneInfo.find((z: Json) => z.zoneName === "az1");
    expect(Object.keys(az1.hosts)).toEqual(["fake-3"]);

    const inZone = await client.createServer({
      name: "in-az1",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
      availability_zone: "az1",
    });
    const placed = await client.waitForServerStatus(inZone.id, "ACTIVE", wait);
    expect(placed["OS-EXT-SRV-ATTR:host"]).toBe("fake-3");
    expect(placed["OS-EXT-AZ:availability_zone"]).toBe("az1");

    const anywhere = await client.createServer({
      name: "anywhere",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    const free = await client.waitForServerStatus(anywhere.id, "ACTIVE", wait);
    expect(free["OS-EXT-SRV-ATTR:host"]).toBe("fake-1");
    expect(free["OS-EXT-AZ:availability_zone"]).toBe("nova");
    // As Nova shows it: a placed server is in its host's zone now, and fake-1 may join a zone with servers.
    const late = await api("POST", "/os-aggregates", {
      aggregate: { name: "late", availability_zone: "az-late" },
    });
    await api("POST", `/os-aggregates/${late.body.aggregate.id}/action`, { add_host: { host: "fake-1" } });
    expect((await client.getServer(anywhere.id))["OS-EXT-AZ:availability_zone"]).toBe("az-late");
    const listed = await client.listServersDetail();
    expect(listed.servers.find((x) => x.id === anywhere.id)?.["OS-EXT-AZ:availability_zone"]).toBe("az-late");

    const unknown = await client
      .createServer({ name: "x", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID, availability_zone: "az-nope" })
      .catch((e: Error) => e);
    expect(String(unknown)).toMatch(/The requested availability zone is not available/);

    // A server in the zone pins its name.
    const rename = await api("PUT", `/os-aggregates/${id}`, {
      aggregate: { availability_zone: "az2" },
    }).catch((e: Error) => e);
    expect(String(rename)).toMatch(/One or more hosts contain instances in this zone/);
    // An aggregate without hosts is re-zoned; the answer carries the change's time.
    const spare = await api("POST", "/os-aggregates", { aggregate: { name: "spare" } });
    const rezoned = await api("PUT", `/os-aggregates/${spare.body.aggregate.id}`, {
      aggregate: { availability_zone: "az3" },
    });
    expect(rezoned.body.aggregate).toMatchObject({
      availability_zone: "az3",
      metadata: { availability_zone: "az3" },
    });
    expect(rezoned.body.aggregate.updated_at).not.toBeNull();
    // Checked last: the python run blocks this process, which serves the API too.
    expect(
      tempestViolations([
        {
          client: "aggregates_client.AggregatesClient",
          schema: "create_aggregate",
          version: "2.41",
          ...created,
        },
        {
          client: "aggregates_client.AggregatesClient",
          schema: "aggregate_add_remove_host",
          version: "2.41",
          ...added,
        },
        {
          client: "aggregates_client.AggregatesClient",
          schema: "update_aggregate",
          version: "2.41",
          ...rezoned,
        },
        {
          client: "availability_zone_client.AvailabilityZoneClient",
          schema: "list_availability_zone_list_detail",
          version: "2.1",
          ...detail,
        },
      ]),
    ).toEqual([]);
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met");
}
