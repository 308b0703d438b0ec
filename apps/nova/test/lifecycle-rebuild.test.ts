// Rebuild, shelve/offload/unshelve, rescue, createImage (and a boot from the snapshot), soft delete with restore
// and with the compute's reclaim, and forceDelete: the five apps as separate processes over RabbitMQ and MariaDB.
// After each flow, every host's used vCPUs, RAM and disk (os-hypervisors) equal what its instances hold.
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { CLUSTER_IMAGE_ID, type NovaApp, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const HOSTS = ["lc-compute-1", "lc-compute-2"];
const RESERVED_RAM_MB = 512;
// The flavor every server here uses.
const TINY = { ram: 256, vcpus: 1, disk: 1 };

let cluster: ProcessCluster;
let client: ComputeClient;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON.
type Json = any;

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  cluster.until(what, probe, timeoutMs);
const startApp = (app: NovaApp, name: string, env: Record<string, string> = {}) =>
  cluster.start(app, name, env);

async function call(method: string, path: string, body?: unknown, version = "2.91"): Promise<Json> {
  const res = await client
    .with({ microversion: version })
    .request(method, path, body === undefined ? {} : { body });
  return res.body;
}

const action = (id: string, body: unknown, version?: string) =>
  call("POST", `/servers/${id}/action`, body, version);

async function server(id: string): Promise<Json> {
  return (await call("GET", `/servers/${id}`)).server;
}

/** Waits for the server's status (and no task), failing early on ERROR. */
async function status(id: string, want: string): Promise<Json> {
  return until(`server ${id} ${want}`, async () => {
    const s = await server(id);
    if (s.status === "ERROR" && want !== "ERROR")
      throw new Error(`server ${id} ERROR: ${JSON.stringify(s.fault)}`);
    return s.status === want && s["OS-EXT-STS:task_state"] === null ? s : undefined;
  });
}

async function boot(name: string, imageRef = CLUSTER_IMAGE_ID): Promise<string> {
  const created = await call("POST", "/servers", {
    server: { name, flavorRef: "lc", imageRef, networks: "none" },
  });
  await status(created.server.id, "ACTIVE");
  return created.server.id;
}

/**
 * Nova's invariant, as os-hypervisors shows it: each host's used vCPUs, RAM (with the reserved RAM) and disk are
 * the sum over the instances it holds (shelved-offloaded ones hold nothing; soft-deleted ones keep theirs).
 */
async function claimsExact(): Promise<void> {
  const servers: Json[] = (await call("GET", "/servers/detail?all_tenants=1")).servers;
  const expected = new Map(HOSTS.map((h) => [h, { vcpus: 0, ram: RESERVED_RAM_MB, disk: 0 }]));
  for (const s of servers) {
    const e = expected.get(s["OS-EXT-SRV-ATTR:host"]);
    if (!e) continue;
    e.vcpus += TINY.vcpus;
    e.ram += TINY.ram;
    e.disk += TINY.disk;
  }
  const hypervisors: Json[] = (await call("GET", "/os-hypervisors/detail", undefined, "2.1")).hypervisors;
  const actual = new Map(
    hypervisors.map((h) => [
      h.service.host,
      { vcpus: h.vcpus_used, ram: h.memory_mb_used, disk: h.local_gb_used },
    ]),
  );
  for (const host of HOSTS) expect({ host, ...actual.get(host) }).toEqual({ host, ...expected.get(host) });
}

beforeAll(async () => {
  cluster = await ProcessCluster.create({
    root,
    prefix: "lcr",
    conf: {
      DEFAULT: {
        report_interval: 1,
        service_down_time: 20,
        rpc_response_timeout: 15,
        reserved_host_memory_mb: RESERVED_RAM_MB,
        // DELETE soft-deletes; the computes reclaim after 8 s.
        reclaim_instance_interval: 8,
      },
      fake: { vcpus: 8, memory_mb: 8192, local_gb: 100 },
    },
  });
  await cluster.createFlavor({
    name: "lc.tiny",
    id: "lc",
    ram: TINY.ram,
    vcpus: TINY.vcpus,
    disk: TINY.disk,
  });
  await cluster.started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: "lc-conductor" }));
  await cluster.started(startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "lc-scheduler" }));
  const computes = HOSTS.map((host) => startApp("nova-compute", host, { OS_DEFAULT__HOST: host }));
  const api = startApp("nova-api", "api", { OS_DEFAULT__HOST: "lc-api" });
  // A loaded machine starts five TypeScript processes slowly: wait for each, generously.
  for (const p of [api, ...computes]) await cluster.started(p, 150_000);
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  await until("both computes up", async () => {
    const up = (await client.listServices({ binary: "nova-compute" })).filter((s) => s.state === "up");
    return HOSTS.every((h) => up.some((s) => s.host === h)) ? true : undefined;
  });
}, 600_000);

afterAll(async () => {
  await cluster?.dispose();
}, 60_000);

describe("rebuild, shelve, rescue, snapshots and soft delete across processes", () => {
  let snapshotId: string;

  it("createImage snapshots a server into the catalogue, and a new server boots from the snapshot", async () => {
    const id = await boot("snap-source");
    const { image_id: imageId } = await action(id, { createImage: { name: "snap-1", metadata: { k: "v" } } });
    snapshotId = imageId;
    const image = await until("the snapshot active", async () => {
      // The image proxy is served up to 2.35, as Nova.
      const i = (await call("GET", `/images/${imageId}`, undefined, "2.35")).image;
      return i.status === "ACTIVE" ? i : undefined;
    });
    expect(image.metadata).toMatchObject({ k: "v", image_type: "snapshot", instance_uuid: id });
    expect((await status(id, "ACTIVE"))["OS-EXT-STS:task_state"]).toBeNull();
    const fromSnapshot = await boot("from-snapshot", imageId);
    expect((await server(fromSnapshot)).image.id).toBe(imageId);
    await claimsExact();
  }, 120_000);

  it("rebuilds a server from another image on its host, keeping its claim", async () => {
    const id = await boot("rebuild-me");
    const before = await server(id);
    const res = await action(id, { rebuild: { imageRef: snapshotId, name: "rebuilt", adminPass: "pw-1" } });
    expect(res.server).toMatchObject({ id, name: "rebuilt", adminPass: "pw-1" });
    const after = await status(id, "ACTIVE");
    expect(after.image.id).toBe(snapshotId);
    expect(after["OS-EXT-SRV-ATTR:host"]).toBe(before["OS-EXT-SRV-ATTR:host"]);
    const actions: Json[] = (await call("GET", `/servers/${id}/os-instance-actions`)).instanceActions;
    expect(actions.map((a) => a.action)).toContain("rebuild");
    await claimsExact();
  }, 120_000);

  it("shelves (offloaded at once, the host's claim freed) and unshelves onto the other host (2.91)", async () => {
    const id = await boot("shelve-me");
    const first = (await server(id))["OS-EXT-SRV-ATTR:host"];
    await action(id, { shelve: null });
    const offloaded = await status(id, "SHELVED_OFFLOADED");
    expect(offloaded["OS-EXT-SRV-ATTR:host"]).toBeNull();
    await claimsExact();
    const other = HOSTS.find((h) => h !== first)!;
    await action(id, { unshelve: { host: other } });
    const back = await status(id, "ACTIVE");
    expect(back["OS-EXT-SRV-ATTR:host"]).toBe(other);
    await claimsExact();
  }, 120_000);

  it("rescues and unrescues", async () => {
    const id = await boot("rescue-me");
    const res = await action(id, { rescue: { adminPass: "rescue-pw" } });
    expect(res).toEqual({ adminPass: "rescue-pw" });
    expect((await status(id, "RESCUE"))["OS-EXT-STS:vm_state"]).toBe("rescued");
    await action(id, { unrescue: null });
    await status(id, "ACTIVE");
    await claimsExact();
  }, 120_000);

  it("soft-deletes on DELETE and restores", async () => {
    const id = await boot("restore-me");
    await call("DELETE", `/servers/${id}`);
    await status(id, "SOFT_DELETED");
    await action(id, { restore: null });
    expect((await status(id, "ACTIVE"))["OS-EXT-STS:power_state"]).toBe(1);
    await claimsExact();
  }, 120_000);

  it("reclaims a soft-deleted server after reclaim_instance_interval, giving its claim back", async () => {
    const id = await boot("reclaim-me");
    await call("DELETE", `/servers/${id}`);
    await until(`server ${id} reclaimed`, async () => {
      try {
        await server(id);
        return undefined;
      } catch (err) {
        return (err as { status?: number }).status === 404 ? true : undefined;
      }
    });
    await claimsExact();
  }, 120_000);

  it("forceDelete deletes a soft-deleted server at once", async () => {
    const id = await boot("force-me");
    await call("DELETE", `/servers/${id}`);
    await status(id, "SOFT_DELETED");
    await action(id, { forceDelete: null });
    await until(`server ${id} gone`, async () => {
      const list: Json[] = (await call("GET", "/servers")).servers;
      return list.some((s) => s.id === id) ? undefined : true;
    });
    await claimsExact();
  }, 120_000);
});
