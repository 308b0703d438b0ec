import { makeCreateServerSpec, makeRequestContext } from "@nova/api/test";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { FakeBroker, RpcServer, Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { afterEach, describe, expect, it } from "vitest";
import { DbComputeBackend } from "./db-compute-backend.js";

// Quota limits and enforcement through the real backend: limits from `[quota]`, the default class, the
// project and the user; usage counted from pending builds and the cell; Nova's messages.

const IMAGE = "8a0f9a8c-0b1e-4cfa-9a3b-1a2b3c4d5e6f";
const alice = makeRequestContext();
const bob = makeRequestContext({ userId: "bob" });
const spec = (fields: Parameters<typeof makeCreateServerSpec>[0] = {}) =>
  makeCreateServerSpec({ imageRef: IMAGE, flavorId: "3", ...fields });

let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function harness(quota: Parameters<typeof openApiDatabase>[2] = {}) {
  const apiDb: ApiDatabase = openApiDatabase("sqlite://", {}, quota);
  const cellDb: CellDatabase = openCellDatabase("sqlite://");
  await apiDb.sync();
  await cellDb.sync();
  const cell = await apiDb.mappings.createCell({
    name: "cell1",
    transport_url: "fake://",
    database_connection: "sqlite://",
  });
  // m1.medium: 2 vCPUs, 4096 MiB.
  await apiDb.flavors.create({ name: "m1.medium", flavorid: "3", memory_mb: 4096, vcpus: 2, root_gb: 1 });
  const broker = new FakeBroker();
  const client = new Transport("fake://", { fakeBroker: broker, options: { control_exchange: "nova" } });
  const server = new Transport("fake://", { fakeBroker: broker, options: { control_exchange: "nova" } });
  const conductor = new RpcServer(server, { topic: "conductor", server: "ctl" }, [
    {
      namespace: "compute_task",
      version: "1.24",
      methods: { schedule_and_build_instances: () => undefined },
    },
  ]);
  await conductor.start();
  const backend = new DbComputeBackend({
    apiDb,
    cellDb,
    cellUuid: cell.uuid,
    computeTask: new ComputeTaskAPI({ transport: client }),
    compute: new ComputeAPI({ transport: client }),
    images: new LocalImageCatalog([{ id: IMAGE, name: "cirros", min_ram: 0, min_disk: 0 }]),
    config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
  });
  closers.push(
    () => apiDb.close(),
    () => cellDb.close(),
    () => client.close(),
    () => server.close(),
    () => conductor.stop(),
  );
  return { backend, apiDb, cellDb };
}

describe("quotas through DbComputeBackend", () => {
  it("limits come from [quota], then the default class, then the project, then the user", async () => {
    const { backend } = await harness({ cores: 8, metadata_items: 3 });
    expect(await backend.getDefaultQuotas(alice)).toMatchObject({
      cores: 8,
      metadata_items: 3,
      instances: 10,
    });
    await backend.updateQuotaClass(alice, "default", { cores: 12, fixed_ips: 4 });
    expect(await backend.getQuotaClass(alice, "default")).toMatchObject({ cores: 12, fixed_ips: 4 });
    expect(await backend.getQuotaClass(alice, "gold")).toMatchObject({ cores: 8, fixed_ips: -1 });
    expect((await backend.getQuotaLimits(alice, "p1", null)).cores).toBe(12);
    await backend.updateQuotas(alice, "p1", null, { cores: 6 }, false);
    await backend.updateQuotas(alice, "p1", "alice", { cores: 4 }, false);
    expect((await backend.getQuotaLimits(alice, "p1", null)).cores).toBe(6);
    expect((await backend.getQuotaLimits(alice, "p1", "alice")).cores).toBe(4);
    expect((await backend.getQuotaLimits(alice, "p1", "bob")).cores).toBe(6);
    await backend.deleteQuotas(alice, "p1", "alice");
    expect((await backend.getQuotaLimits(alice, "p1", "alice")).cores).toBe(6);
    await backend.deleteQuotas(alice, "p1", null);
    expect((await backend.getQuotaLimits(alice, "p1", null)).cores).toBe(12);
  });

  it("counts pending builds' cores and refuses a boot over quota with Nova's message", async () => {
    const { backend } = await harness({ cores: 5 });
    await backend.createServers(alice, spec({ flavorId: "3", minCount: 2, maxCount: 2 }));
    const usage = await backend.getQuotaUsage(alice, "p1", null);
    expect(usage.cores).toEqual({ limit: 5, inUse: 4 });
    expect(usage.ram).toEqual({ limit: 51200, inUse: 8192 });
    expect(usage.instances).toEqual({ limit: 10, inUse: 2 });
    await expect(backend.createServers(bob, spec({ flavorId: "3" }))).rejects.toMatchObject({
      name: "QuotaExceededError",
      httpStatus: 403,
      message: "Quota exceeded for cores: Requested 2, but already used 4 of 5 cores",
    });
    // A limit below what is used is refused unless forced.
    await expect(backend.updateQuotas(alice, "p1", null, { cores: 3 }, false)).rejects.toMatchObject({
      name: "InvalidRequestError",
      message: "Quota limit 3 for cores must be greater than or equal to already used and reserved 4.",
    });
    expect((await backend.updateQuotas(alice, "p1", null, { cores: 3 }, true)).cores).toBe(3);
  });

  it("builds as many as fit between min_count and max_count", async () => {
    const { backend } = await harness({ instances: 3 });
    const created = await backend.createServers(alice, spec({ flavorId: "3", minCount: 1, maxCount: 5 }));
    expect(created).toHaveLength(3);
    await expect(backend.createServers(alice, spec({ minCount: 1, maxCount: 2 }))).rejects.toMatchObject({
      message: "Quota exceeded for instances: Requested 1-2, but already used 3 of 3 instances",
    });
  });

  it("checks a user's own instance limits against the user's usage only", async () => {
    const { backend } = await harness();
    await backend.updateQuotas(alice, "p1", null, { instances: 2 }, false);
    await backend.updateQuotas(alice, "p1", "alice", { instances: 1 }, false);
    await backend.createServers(alice, spec());
    await expect(backend.createServers(alice, spec())).rejects.toMatchObject({
      message: "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances",
    });
    await backend.createServers(bob, spec());
    await expect(backend.createServers(bob, spec())).rejects.toMatchObject({
      message: "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances",
    });
  });

  it("checks metadata items against the metadata_items limit from [quota] and the project", async () => {
    const { backend } = await harness({ metadata_items: 2 });
    const metadata = { a: "1", b: "2", c: "3" };
    await expect(backend.createServers(alice, spec({ metadata }))).rejects.toMatchObject({
      name: "QuotaExceededError",
      message: "Maximum number of metadata items exceeds 2",
    });
    await expect(backend.checkMetadataQuota(alice, 3)).rejects.toMatchObject({ name: "QuotaExceededError" });
    await backend.updateQuotas(alice, "p1", null, { metadata_items: 3 }, false);
    expect(await backend.createServers(alice, spec({ metadata }))).toHaveLength(1);
    await backend.checkMetadataQuota(alice, 3);
  });

  it("reads usage servers from the cell with their flavors (os-simple-tenant-usage)", async () => {
    const { backend, apiDb, cellDb } = await harness();
    const flavor = await apiDb.flavors.getByFlavorId("3");
    const launched = new Date(Date.UTC(2026, 10, 27, 12, 0, 0));
    await cellDb.instances.create({
      uuid: "00000000-0000-4000-8000-000000000001",
      display_name: "web",
      project_id: "p1",
      user_id: "alice",
      vm_state: "active",
      flavor,
      launched_at: launched,
    });
    const servers = await backend.listUsageServers(alice, {
      start: new Date(Date.UTC(2026, 10, 27, 0, 0, 0)),
      end: new Date(Date.UTC(2026, 10, 28, 0, 0, 0)),
      projectId: "p1",
      limit: 10,
    });
    expect(servers).toEqual([
      {
        uuid: "00000000-0000-4000-8000-000000000001",
        name: "web",
        projectId: "p1",
        flavor: { name: "m1.medium", memoryMb: 4096, vcpus: 2, rootGb: 1, ephemeralGb: 0 },
        launchedAt: launched,
        terminatedAt: null,
        vmState: "active",
      },
    ]);
    await expect(
      backend.listUsageServers(alice, {
        start: launched,
        end: launched,
        projectId: null,
        limit: 1,
        marker: "x",
      }),
    ).rejects.toMatchObject({ name: "MarkerNotFoundError" });
  });
});
