import { randomUUID } from "node:crypto";
import type { CreateServerSpec } from "@nova/api";
import { makeCreateServerSpec, makeRequestContext } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { FakeBroker, RpcServer, Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI, ConsoleNotAvailable, InstanceNotFound } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabases } from "../test/test-databases.js";
import { DbComputeBackend } from "./db-compute-backend.js";

const IMAGE = "8a0f9a8c-0b1e-4cfa-9a3b-1a2b3c4d5e6f";
const alice = makeRequestContext();
const admin = makeRequestContext({ userId: "admin", projectId: "admin", isAdmin: true, roles: ["admin"] });

interface Harness {
  backend: DbComputeBackend;
  /** The backend's clock: created_at and launched_at stamps. */
  clock: FakeClock;
  apiDb: ApiDatabase;
  cellDb: CellDatabase;
  cellUuid: string;
  casts: Array<{ method: string; args: Record<string, any> }>;
  computeCasts: Array<{ host: string; method: string; args: Record<string, any> }>;
  /** What cpu-1's get_console_output answers per instance: a log, or an error it raises. */
  consoles: Map<string, string | Error>;
  close(): Promise<void>;
}

async function harness(config: { instanceNameTemplate?: string } = {}): Promise<Harness> {
  const { apiDb, cellDb, cellUuid } = await openTestDatabases();
  const cell = { uuid: cellUuid };
  const broker = new FakeBroker();
  const client = new Transport("fake://", { fakeBroker: broker, options: { control_exchange: "nova" } });
  const server = new Transport("fake://", { fakeBroker: broker, options: { control_exchange: "nova" } });
  const casts: Harness["casts"] = [];
  const computeCasts: Harness["computeCasts"] = [];
  const conductor = new RpcServer(server, { topic: "conductor", server: "ctl" }, [
    {
      namespace: "compute_task",
      version: "1.24",
      methods: {
        schedule_and_build_instances: (_ctx, args) =>
          void casts.push({ method: "schedule_and_build_instances", args }),
      },
    },
  ]);
  await conductor.start();
  const consoles: Harness["consoles"] = new Map();
  const compute = new RpcServer(server, { topic: "compute", server: "cpu-1" }, [
    {
      version: "6.1",
      methods: {
        ...Object.fromEntries(
          [
            "terminate_instance",
            "reboot_instance",
            "stop_instance",
            "start_instance",
            "pause_instance",
            "unpause_instance",
          ].map((m) => [
            m,
            (_ctx: unknown, args: Record<string, any>) =>
              void computeCasts.push({ host: "cpu-1", method: m, args }),
          ]),
        ),
        get_console_output: (
          _ctx: unknown,
          args: { instance: { "nova_object.data": { uuid: string } }; tail_length: number | null },
        ) => {
          const uuid = args.instance["nova_object.data"].uuid;
          computeCasts.push({ host: "cpu-1", method: "get_console_output", args });
          const answer = consoles.get(uuid) ?? new InstanceNotFound({ instance_id: uuid });
          if (answer instanceof Error) throw answer;
          return args.tail_length === null ? answer : answer.split("\n").slice(-args.tail_length).join("\n");
        },
      },
    },
  ]);
  await compute.start();
  const clock = new FakeClock();
  const backend = new DbComputeBackend({
    clock,
    apiDb,
    cellDb,
    cellUuid: cell.uuid,
    computeTask: new ComputeTaskAPI({ transport: client }),
    compute: new ComputeAPI({ transport: client }),
    images: new LocalImageCatalog([{ id: IMAGE, name: "cirros", min_ram: 0, min_disk: 0 }]),
    config: {
      serviceDownTime: 60,
      defaultAvailabilityZone: "nova",
      instanceNameTemplate: config.instanceNameTemplate ?? "instance-%08x",
    },
  });
  return {
    backend,
    clock,
    apiDb,
    cellDb,
    cellUuid: cell.uuid,
    casts,
    computeCasts,
    consoles,
    close: async () => {
      await conductor.stop();
      await compute.stop();
      await client.close();
      await server.close();
      await apiDb.close();
      await cellDb.close();
    },
  };
}

const spec = (over: Partial<CreateServerSpec> = {}) =>
  makeCreateServerSpec({ imageRef: IMAGE, networks: "none", ...over });

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

/** The instance as its compute leaves it after a build on cpu-1: ACTIVE, running, launched. */
const running = (h: Harness) => ({
  vm_state: "active",
  task_state: null,
  power_state: 1,
  host: "cpu-1",
  node: "cpu-1",
  launched_at: new Date(h.clock.now()),
});

/** Plays the conductor's part: the instance row goes into the cell, on `host` (or nowhere). */
async function place(h: Harness, uuid: string, changes: Record<string, unknown>): Promise<void> {
  const br = await h.apiDb.buildRequests.getByInstanceUuid(uuid);
  await h.cellDb.instances.create({ ...br.instance, uuid, ...changes } as never);
  await h.apiDb.mappings.setInstanceCell(uuid, h.cellUuid);
  await h.apiDb.buildRequests.delete(uuid);
}

describe("DbComputeBackend", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("records a build request and casts schedule_and_build_instances; the server reads as BUILD", async () => {
    const [server] = await h.backend.createServers(alice, spec());
    expect(server).toMatchObject({
      name: "web",
      vmState: "building",
      taskState: "scheduling",
      projectId: "p1",
    });
    await until(() => h.casts.length === 1);
    const args = h.casts[0]!.args;
    expect(args.build_requests[0]["nova_object.data"].instance_uuid).toBe(server!.uuid);
    expect(args.request_specs[0]["nova_object.data"]).toMatchObject({ num_instances: 1, project_id: "p1" });
    expect(args.requested_networks).toBe("none");
    const got = await h.backend.getServer(alice, server!.uuid);
    expect(got).toMatchObject({
      uuid: server!.uuid,
      vmState: "building",
      flavor: { flavorId: "1", memoryMb: 512 },
    });
    expect((await h.backend.listServers(alice, listQuery({ projectId: "p1" }))).map((s) => s.uuid)).toEqual([
      server!.uuid,
    ]);
  });

  it("hands forced and requested hosts to the scheduler in the request spec, and keeps the asked hostname", async () => {
    await h.backend.createServers(alice, spec({ forcedHost: "c1", forcedNode: "n1", hostname: "db-01" }));
    await h.backend.createServers(alice, spec({ requestedHost: "c2", requestedNode: null }));
    await until(() => h.casts.length === 2);
    const forced = h.casts[0]!.args.request_specs[0]["nova_object.data"];
    expect(forced).toMatchObject({ force_hosts: ["c1"], force_nodes: ["n1"], requested_destination: null });
    expect(h.casts[0]!.args.build_requests[0]["nova_object.data"].instance["nova_object.data"].hostname).toBe(
      "db-01",
    );
    const requested = h.casts[1]!.args.request_specs[0]["nova_object.data"];
    expect(requested).toMatchObject({ force_hosts: null, force_nodes: null });
    expect(requested.requested_destination).toMatchObject({
      "nova_object.name": "Destination",
      "nova_object.data": { host: "c2", node: null },
    });
  });

  it("reads the instance from its cell once placed, newest first with build requests merged", async () => {
    const [a] = await h.backend.createServers(alice, spec({ name: "a" }));
    await place(h, a!.uuid, running(h));
    // The databases keep timestamps to the second: make b clearly newer than a.
    h.clock.set(h.clock.now() + 2000);
    const [b] = await h.backend.createServers(alice, spec({ name: "b" }));
    const list = await h.backend.listServers(alice, listQuery({ projectId: "p1" }));
    expect(list.map((s) => [s.name, s.vmState])).toEqual([
      ["b", "building"],
      ["a", "active"],
    ]);
    const page2 = await h.backend.listServers(
      alice,
      listQuery({ projectId: "p1", limit: 1, marker: b!.uuid }),
    );
    expect(page2.map((s) => s.name)).toEqual(["a"]);
    // The locked filter (2.73) reaches the cell's query and the build requests alike.
    await h.cellDb.instances.update(a!.uuid, { locked: true });
    const names = async (locked: boolean) =>
      (await h.backend.listServers(alice, listQuery({ projectId: "p1", locked }))).map((s) => s.name);
    expect(await names(true)).toEqual(["a"]);
    expect(await names(false)).toEqual(["b"]);
  });

  it("deletes a build request that no conductor has taken yet", async () => {
    const [s] = await h.backend.createServers(alice, spec());
    await h.backend.deleteServer(alice, s!.uuid);
    await expect(h.backend.getServer(alice, s!.uuid)).rejects.toMatchObject({
      name: "InstanceNotFoundError",
    });
  });

  it("deletes a placed server through its compute host when that host is up, locally when it is down", async () => {
    const svc = await h.cellDb.services.create({ host: "cpu-1", binary: "nova-compute", topic: "compute" });
    await h.cellDb.services.heartbeat(svc.id);
    const [s] = await h.backend.createServers(alice, spec());
    await place(h, s!.uuid, running(h));
    await h.backend.deleteServer(alice, s!.uuid);
    await until(() => h.computeCasts.length === 1);
    expect(h.computeCasts[0]).toMatchObject({ method: "terminate_instance" });
    expect((await h.cellDb.instances.get(s!.uuid)).task_state).toBe("deleting");

    await h.cellDb.services.update(svc.id, { forced_down: true });
    const [t] = await h.backend.createServers(alice, spec());
    await place(h, t!.uuid, running(h));
    await h.backend.deleteServer(alice, t!.uuid);
    await expect(h.backend.getServer(alice, t!.uuid)).rejects.toMatchObject({
      name: "InstanceNotFoundError",
    });
    // Deleted locally (its host is down): the row ends as Nova's local delete leaves it.
    expect(await h.cellDb.instances.get(t!.uuid, { readDeleted: true })).toMatchObject({
      deleted: true,
      vm_state: "deleted",
      task_state: null,
    });
  });

  it("names a server by the configured instance_name_template, as its hypervisor does", async () => {
    await h.close();
    h = await harness({ instanceNameTemplate: "guest-%(id)x-%(uuid)s" });
    const [s] = await h.backend.createServers(alice, spec());
    // Nova's Instance.name: a build request has no id yet, so no name while it is scheduled.
    expect((await h.backend.getServer(admin, s!.uuid)).instanceName).toBe("");
    await place(h, s!.uuid, { vm_state: "active", task_state: null });
    const placed = await h.cellDb.instances.get(s!.uuid);
    expect((await h.backend.getServer(admin, s!.uuid)).instanceName).toBe(
      `guest-${placed.id!.toString(16)}-${s!.uuid}`,
    );
  });

  it("gives back the whole DISK_GB claim (root + ephemeral + swap) when it deletes a server locally", async () => {
    await h.apiDb.flavors.create({
      name: "m1.swap",
      flavorid: "swap",
      memory_mb: 512,
      vcpus: 1,
      root_gb: 1,
      ephemeral_gb: 1,
      swap: 1536,
    });
    const svc = await h.cellDb.services.create({ host: "cpu-1", binary: "nova-compute", topic: "compute" });
    await h.cellDb.services.update(svc.id, { forced_down: true });
    const node = await h.cellDb.computeNodes.create({
      host: "cpu-1",
      hypervisor_hostname: "cpu-1",
      service_id: svc.id,
      vcpus: 4,
      memory_mb: 8192,
      local_gb: 100,
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      cpu_allocation_ratio: 1,
      ram_allocation_ratio: 1,
      disk_allocation_ratio: 1,
    });
    // What the scheduler claimed, as Nova's resources_from_flavor counts it: 1 + 1 + ceil(1536 / 1024) GB.
    await h.cellDb.computeNodes.claim(node.uuid, { vcpus: 1, memory_mb: 512, local_gb: 4 });
    const [s] = await h.backend.createServers(alice, spec({ flavorId: "swap" }));
    await place(h, s!.uuid, { vm_state: "active", task_state: null, host: "cpu-1", node: "cpu-1" });
    await h.backend.deleteServer(alice, s!.uuid);
    const after = await h.cellDb.computeNodes.getByUuid(node.uuid);
    expect([after.vcpus_used, after.memory_mb_used, after.local_gb_used]).toEqual([0, 0, 0]);
  });

  it("starts actions with a conditional task state and refuses a second one (409)", async () => {
    const [s] = await h.backend.createServers(alice, spec());
    await place(h, s!.uuid, running(h));
    await h.backend.serverAction(alice, s!.uuid, { type: "reboot", rebootType: "SOFT" });
    expect((await h.cellDb.instances.get(s!.uuid)).task_state).toBe("rebooting");
    await until(() => h.computeCasts.some((c) => c.method === "reboot_instance"));
    expect(h.computeCasts.find((c) => c.method === "reboot_instance")?.args.reboot_type).toBe("SOFT");
    await expect(h.backend.serverAction(alice, s!.uuid, { type: "pause" })).rejects.toMatchObject({
      name: "InstanceInvalidStateError",
    });
    // A server still being built cannot be stopped.
    const [b] = await h.backend.createServers(alice, spec());
    await expect(h.backend.serverAction(alice, b!.uuid, { type: "stop" })).rejects.toBeDefined();
  });

  it("an action takes what its request's findServer read, once; other requests read afresh", async () => {
    const [s] = await h.backend.createServers(alice, spec());
    await place(h, s!.uuid, running(h));
    const checking = { ...alice };
    expect(await h.backend.findServer(checking, s!.uuid)).toEqual({
      uuid: s!.uuid,
      projectId: alice.projectId,
      userId: alice.userId,
      vmState: "active",
      taskState: null,
      host: "cpu-1",
    });
    // Stopped behind the request's back, between its check and its action.
    await h.cellDb.instances.update(s!.uuid, { vm_state: "stopped", power_state: 4 });
    const stop = { type: "stop" } as const;
    // Another request reads the row as it is now: a stopped server cannot be stopped.
    await expect(h.backend.serverAction({ ...alice }, s!.uuid, stop)).rejects.toMatchObject({
      name: "InstanceInvalidStateError",
    });
    // The checking request acts on the server it checked (Nova's API, too, acts on the instance it loaded)...
    await h.backend.serverAction(checking, s!.uuid, stop);
    expect((await h.cellDb.instances.get(s!.uuid)).task_state).toBe("powering-off");
    // ...and only once: its next action reads afresh.
    await expect(h.backend.serverAction(checking, s!.uuid, stop)).rejects.toMatchObject({
      name: "InstanceInvalidStateError",
    });
  });

  it("reads console output from the instance's compute host with a call, and maps its NotFound answers", async () => {
    const [s] = await h.backend.createServers(alice, spec());
    const uuid = s!.uuid;
    // Still a build request: no host to ask (Nova's InstanceNotReady, 409 at the API).
    await expect(h.backend.getConsoleOutput(alice, uuid, null)).rejects.toMatchObject({
      code: "INSTANCE_NOT_READY",
    });
    await place(h, uuid, running(h));
    h.consoles.set(uuid, "boot\nready\nlogin:");
    expect(await h.backend.getConsoleOutput(alice, uuid, null)).toBe("boot\nready\nlogin:");
    expect(await h.backend.getConsoleOutput(alice, uuid, 2)).toBe("ready\nlogin:");
    const call = h.computeCasts.find((c) => c.method === "get_console_output");
    expect(call?.args.instance["nova_object.data"]).toMatchObject({ uuid, host: "cpu-1" });
    h.consoles.set(uuid, new ConsoleNotAvailable({ instance_uuid: uuid }));
    await expect(h.backend.getConsoleOutput(alice, uuid, null)).rejects.toMatchObject({
      code: "CONSOLE_NOT_AVAILABLE",
      httpStatus: 404,
    });
    h.consoles.delete(uuid);
    await expect(h.backend.getConsoleOutput(alice, uuid, null)).rejects.toMatchObject({
      name: "InstanceNotFoundError",
    });
    h.consoles.set(uuid, new Error("libvirt exploded"));
    await expect(h.backend.getConsoleOutput(alice, uuid, null)).rejects.toMatchObject({
      name: "RemoteError",
    });
    await expect(h.backend.getConsoleOutput(alice, randomUUID(), null)).rejects.toMatchObject({
      name: "InstanceNotFoundError",
    });
  });

  it("refuses an unknown flavor or image, and enforces the instance quota", async () => {
    await expect(h.backend.createServers(alice, spec({ flavorId: "nope" }))).rejects.toMatchObject({
      name: "FlavorNotFoundError",
    });
    await expect(h.backend.createServers(alice, spec({ imageRef: randomUUID() }))).rejects.toMatchObject({
      name: "ImageNotFoundError",
      code: "IMAGE_NOT_FOUND",
      httpStatus: 404,
    });
    // The catalogue's own not-found becomes the API's, which nova-api answers with Nova's fault.
    await expect(h.backend.getImage(alice, "nope")).rejects.toMatchObject({
      code: "IMAGE_NOT_FOUND",
      httpStatus: 404,
    });
    await h.apiDb.quotas.setLimit("p1", "instances", 2);
    await h.backend.createServers(alice, spec({ maxCount: 2, minCount: 2 }));
    await expect(h.backend.createServers(alice, spec())).rejects.toMatchObject({
      name: "QuotaExceededError",
    });
  });

  it("lists services with their liveness and zones", async () => {
    const svc = await h.cellDb.services.create({ host: "cpu-1", binary: "nova-compute", topic: "compute" });
    await h.cellDb.services.heartbeat(svc.id);
    await h.cellDb.services.create({ host: "ctl", binary: "nova-conductor", topic: "conductor" });
    const list = await h.backend.listServices(admin, {});
    expect(list.map((s) => [s.binary, s.zone])).toEqual([
      ["nova-compute", "nova"],
      ["nova-conductor", "internal"],
    ]);
    expect(list[0]?.isUp).toBe(true);
  });
});

function listQuery(over: Partial<Parameters<DbComputeBackend["listServers"]>[1]> = {}) {
  return { deleted: false, sort: [], limit: 1000, ...over };
}
