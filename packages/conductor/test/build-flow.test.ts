import { readFileSync } from "node:fs";
import { hasErrorCode, silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import type { CellDatabase, ComputeNodeRecord } from "@nova/db";
import {
  type EndpointMethod,
  type Notification,
  NotificationListener,
  Notifier,
  RpcClient,
  type Transport,
} from "@nova/messaging";
import {
  BuildRequestCodec,
  InstanceCodec,
  RequestSpecCodec,
  type Selection,
  SelectionCodec,
  ServiceCodec,
} from "@nova/objects";
import {
  adminContext,
  BuildAbortException,
  ComputeTaskAPI,
  ConductorAPI,
  ConductorObjectsAPI,
  fromWireContext,
  NoValidHost,
  novaRemoteErrors,
  RescheduledException,
  userContext,
} from "@nova/rpcapi";
import { afterEach, describe, expect, it } from "vitest";
import { parseBuildArgs, SCHEDULE_EVENT } from "../src/compute-task-manager.js";
import { type ConductorService, createConductorService } from "../src/conductor-service.js";
import { ConductorSetupError } from "../src/errors/index.js";
import { flavorResources } from "../src/instance-claims.js";
import {
  acceptBoot,
  addComputeHost,
  type Backend,
  CELL0_UUID,
  type Databases,
  fakeBus,
  openDatabases,
} from "./support.js";

const START = Date.UTC(2026, 10, 27, 9, 0, 0);

/** What a scripted compute reads from build_and_run_instance's arguments. */
type BuildArgs = Record<string, unknown> & {
  instance: { "nova_object.data": { uuid: string } };
  node: string;
};
type BuildBehaviour = (args: BuildArgs, host: string) => unknown;

interface Harness {
  dbs: Databases;
  clock: FakeClock;
  bus: ReturnType<typeof fakeBus>;
  service: ConductorService;
  nodes: Record<string, ComputeNodeRecord>;
  /** Calls seen by the scripted computes: `host:method`. */
  computeCalls: Array<{
    host: string;
    method: string;
    args: Record<string, unknown>;
    ctx: Record<string, unknown>;
  }>;
  builds: Record<string, BuildBehaviour>;
  scheduler: { mode: "pick" | "novalid"; hook?: (uuids: string[]) => Promise<void> };
  conductorTransport: Transport;
}

let h: Harness;

/** The scheduler's part, scripted: claim the first host in order that fits, the rest are alternates. */
async function pick(
  cellDb: CellDatabase,
  nodes: ComputeNodeRecord[],
  req: { vcpus: number; memory_mb: number; local_gb: number },
) {
  for (const [i, n] of nodes.entries()) {
    try {
      await cellDb.computeNodes.claim(n.uuid, req);
      return [n, ...nodes.filter((_, j) => j !== i)];
    } catch {
      // full: next
    }
  }
  throw new NoValidHost({ reason: "There are not enough hosts available." });
}

function selection(n: ComputeNodeRecord): Record<string, unknown> {
  const s: Selection = {
    compute_node_uuid: n.uuid,
    service_host: n.host ?? "",
    nodename: n.hypervisor_hostname ?? "",
    cell_uuid: "00000000-0000-0000-0000-000000000001",
    limits: null,
    allocation_request: null,
    allocation_request_version: null,
    availability_zone: null,
  };
  return SelectionCodec.toPrimitive(s) as unknown as Record<string, unknown>;
}

async function setup(
  opts: {
    hosts?: string[];
    cell0?: boolean;
    downHosts?: string[];
    notify?: boolean;
    backend?: Backend;
    config?: { executor_thread_pool_size?: number; heartbeat_batch_window_ms?: number };
  } = {},
) {
  const clock = new FakeClock(START);
  const dbs = await openDatabases(opts.backend ?? "sqlite", clock);
  const bus = fakeBus();
  const nodes: Record<string, ComputeNodeRecord> = {};
  for (const host of opts.hosts ?? ["cpu-1", "cpu-2"]) {
    const down = opts.downHosts?.includes(host);
    nodes[host] = await addComputeHost(dbs.cellDb, host, {
      lastSeenUp: new Date(down ? START - 600_000 : START),
    });
  }
  const harness = {
    dbs,
    clock,
    bus,
    nodes,
    computeCalls: [],
    builds: {},
    scheduler: { mode: "pick" },
  } as unknown as Harness;

  const schedTransport = bus.transport();
  await bus.serve(schedTransport, "scheduler", "sch-1", {
    version: "4.5",
    methods: {
      select_destinations: async (_ctx, args) => {
        const uuids = args.instance_uuids as string[];
        await harness.scheduler.hook?.(uuids);
        if (harness.scheduler.mode === "novalid") {
          throw new NoValidHost({ reason: "There are not enough hosts available." });
        }
        const spec = RequestSpecCodec.fromPrimitive(args.spec_obj);
        const req = flavorResources(spec.flavor ?? {});
        const out: Record<string, unknown>[][] = [];
        for (const _ of uuids) out.push((await pick(dbs.cellDb, Object.values(nodes), req)).map(selection));
        return out;
      },
    },
  });
  const computeTransport = bus.transport();
  for (const host of Object.keys(nodes)) {
    const record =
      (method: string): EndpointMethod =>
      (ctx, args) => {
        harness.computeCalls.push({ host, method, args, ctx });
        if (method !== "build_and_run_instance") return null;
        const behaviour = harness.builds[host];
        if (behaviour) return behaviour(args as BuildArgs, host);
        return {
          instance_uuid: args.instance["nova_object.data"].uuid,
          host,
          node: args.node,
          power_state: 1,
          vm_state: "active",
          launched_at: new Date(clock.now()).toISOString(),
        };
      };
    await bus.serve(computeTransport, "compute", host, {
      version: "6.0",
      methods: {
        build_and_run_instance: record("build_and_run_instance"),
        terminate_instance: record("terminate_instance"),
      },
    });
  }
  // One clock for everything the conductor times: its RPC call timeouts, heartbeats and periodic checks.
  const conductorTransport = bus.transport(clock);
  const service = createConductorService({
    transport: conductorTransport,
    apiDb: dbs.apiDb,
    cellDb: dbs.cellDb,
    cell0Db: opts.cell0 === false ? undefined : dbs.cell0Db,
    clock,
    logger: process.env.CONDUCTOR_TEST_LOG ? console : silentLogger,
    config: {
      host: "ctl-1",
      instance_build_timeout: 600,
      build_timeout_check_interval: 60,
      ...opts.config,
    },
    notifier: opts.notify ? new Notifier(conductorTransport, { topics: ["notifications"] }) : undefined,
  });
  await service.start();
  Object.assign(harness, { service, conductorTransport });
  h = harness;
  return harness;
}

afterEach(async () => {
  await h?.service.stop();
  await h?.bus.close();
  await h?.dbs.dispose();
});

/** Sends schedule_and_build_instances as a call: it returns once the build is accepted; then waits for it. */
async function boot(name = "vm") {
  const accepted = await acceptBoot(h.dbs.apiDb, { name, createdAt: new Date(h.clock.now()) });
  const ctx = userContext({ user_id: "u1", project_id: "p1" });
  const client = new RpcClient(
    h.bus.transport(),
    { topic: "conductor", namespace: "compute_task", version: "1.17" },
    { remoteErrors: novaRemoteErrors, timeout: 30 },
  );
  await client.call(ctx as never, "schedule_and_build_instances", {
    build_requests: [accepted.buildRequest],
    request_specs: [accepted.requestSpec],
    image: { id: "155d900f-4e14-4e4c-a73d-069cbf4541e6" },
    admin_password: null,
    injected_files: [],
    requested_networks: null,
    block_device_mapping: [],
    tags: [],
  });
  await h.service.computeTasks.drain();
  return { uuid: accepted.uuid, ctx };
}

async function usage(host: string) {
  const n = await h.dbs.cellDb.computeNodes.getByUuid(h.nodes[host]!.uuid);
  return [n.vcpus_used, n.memory_mb_used, n.local_gb_used];
}

const builds = () => h.computeCalls.filter((c) => c.method === "build_and_run_instance").map((c) => c.host);

describe("schedule_and_build_instances over fake:// (scripted scheduler and computes)", () => {
  it("decodes Nova's captured cast", () => {
    const captured = JSON.parse(
      readFileSync(
        new URL("./fixtures/001_cast_conductor_schedule_and_build_instances.json", import.meta.url),
        "utf8",
      ),
    ).oslo_message;
    const { items, common } = parseBuildArgs(captured.args);
    expect(items.map((i) => i.uuid)).toEqual(["b8677b88-dfba-4423-a84a-b94d534f1cbb"]);
    expect(items[0]?.spec.flavor?.name).toBe("peer.tiny");
    expect(common.blockDeviceMapping).toHaveLength(1);
  });

  it("boots to ACTIVE: row created and mapped, create action, select_destinations, build_and_run_instance call", async () => {
    await setup();
    const accepted = await acceptBoot(h.dbs.apiDb, {
      name: "web-1",
      createdAt: new Date(h.clock.now()),
      tags: ["x", "a"],
    });
    const ctx = userContext({ user_id: "u1", project_id: "p1" });
    // The real API client: a cast, as nova-api sends it.
    await new ComputeTaskAPI({ transport: h.bus.transport() }).scheduleAndBuildInstances(ctx, {
      build_requests: [BuildRequestCodec.fromPrimitive(accepted.buildRequest)],
      request_specs: [RequestSpecCodec.fromPrimitive(accepted.requestSpec)],
      image: { id: "155d900f-4e14-4e4c-a73d-069cbf4541e6" },
    });
    for (let i = 0; i < 2000 && h.service.computeTasks.counters.active === 0; i++) {
      await new Promise((r) => setTimeout(r, 2));
    }
    await h.service.computeTasks.drain();
    const row = await h.dbs.cellDb.instances.get(accepted.uuid);
    expect(row).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: 1,
      host: "cpu-1",
      node: "cpu-1",
      display_name: "web-1",
      metadata: { purpose: "test" },
    });
    expect(row.launched_at?.getTime()).toBe(START);
    expect(row.flavor.name).toBe("m1.tiny");
    // The build request's tags (a 2.52 boot with tags) are the instance's in the cell.
    expect(await h.dbs.cellDb.tags.list(accepted.uuid)).toEqual(["a", "x"]);
    const mapping = await h.dbs.apiDb.mappings.getInstanceMapping(accepted.uuid);
    expect(mapping.cell_mapping?.uuid).toBe(h.dbs.cellUuid);
    await expect(h.dbs.apiDb.buildRequests.getByInstanceUuid(accepted.uuid)).rejects.toThrow(
      /could not be found/,
    );
    const action = await h.dbs.cellDb.actions.getByRequestId(accepted.uuid, ctx.request_id);
    expect(action).toMatchObject({ action: "create", user_id: "u1", project_id: "p1" });
    const events = await h.dbs.cellDb.actions.events(action.id);
    expect(events.map((e) => [e.event, e.result])).toEqual([[SCHEDULE_EVENT, "Success"]]);

    const call = h.computeCalls.find((c) => c.method === "build_and_run_instance")!;
    expect(call.host).toBe("cpu-1");
    expect(fromWireContext(call.ctx).request_id).toBe(ctx.request_id);
    expect(call.args).toMatchObject({
      node: "cpu-1",
      security_groups: ["default"],
      filter_properties: { retry: { num_attempts: 1, hosts: [["cpu-1", "cpu-1"]] } },
    });
    expect(
      (call.args.host_list as unknown[]).map((s) => SelectionCodec.fromPrimitive(s).service_host),
    ).toEqual(["cpu-2"]);
    const sent = InstanceCodec.fromPrimitive(call.args.instance);
    expect(sent).toMatchObject({
      uuid: accepted.uuid,
      host: "cpu-1",
      vm_state: "building",
      task_state: "scheduling",
    });
    expect(await usage("cpu-1")).toEqual([1, 512, 1]);
    expect(await usage("cpu-2")).toEqual([0, 0, 0]);
  });

  it("builds every instance of a multi-create request, one claim each", async () => {
    await setup();
    const a = await acceptBoot(h.dbs.apiDb, { name: "multi-0" });
    const b = await acceptBoot(h.dbs.apiDb, { name: "multi-1" });
    await new RpcClient(h.bus.transport(), {
      topic: "conductor",
      namespace: "compute_task",
      version: "1.17",
    }).call({} as never, "schedule_and_build_instances", {
      build_requests: [a.buildRequest, b.buildRequest],
      request_specs: [a.requestSpec, b.requestSpec],
      image: {},
    });
    await h.service.computeTasks.drain();
    const rows = await Promise.all([a.uuid, b.uuid].map((u) => h.dbs.cellDb.instances.get(u)));
    expect(rows.map((r) => [r.display_name, r.vm_state])).toEqual([
      ["multi-0", "active"],
      ["multi-1", "active"],
    ]);
    const used = (await usage("cpu-1"))[0]! + (await usage("cpu-2"))[0]!;
    expect(used).toBe(2);
  });

  it("reschedules a RescheduledException to the alternate, moving the claim", async () => {
    await setup();
    h.builds["cpu-1"] = (args) => {
      throw new RescheduledException({
        instance_uuid: args.instance["nova_object.data"].uuid,
        reason: "spawn failed: injected",
      });
    };
    const { uuid } = await boot();
    expect(builds()).toEqual(["cpu-1", "cpu-2"]);
    expect(await h.dbs.cellDb.instances.get(uuid)).toMatchObject({ vm_state: "active", host: "cpu-2" });
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    expect(await usage("cpu-2")).toEqual([1, 512, 1]);
    expect(h.service.computeTasks.counters.rescheduled).toBe(1);
    const second = h.computeCalls.filter((c) => c.method === "build_and_run_instance")[1]!;
    expect(second.args.filter_properties).toMatchObject({ retry: { num_attempts: 2 } });
  });

  it("reschedules to ACTIVE on MariaDB too", async () => {
    await setup({ backend: "mariadb" });
    h.builds["cpu-1"] = (args) => {
      throw new RescheduledException({
        instance_uuid: args.instance["nova_object.data"].uuid,
        reason: "injected",
      });
    };
    const { uuid } = await boot();
    expect(await h.dbs.cellDb.instances.get(uuid)).toMatchObject({
      vm_state: "active",
      host: "cpu-2",
      power_state: 1,
    });
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    expect(await usage("cpu-2")).toEqual([1, 512, 1]);
  });

  it("goes to ERROR with MaxRetriesExceeded when every host fails, giving every claim back", async () => {
    await setup();
    const fail: BuildBehaviour = (args, host) => {
      throw new RescheduledException({
        instance_uuid: args.instance["nova_object.data"].uuid,
        reason: `${host} broke`,
      });
    };
    h.builds["cpu-1"] = fail;
    h.builds["cpu-2"] = fail;
    const { uuid, ctx } = await boot();
    const row = await h.dbs.cellDb.instances.get(uuid, { withFault: true });
    expect(row).toMatchObject({ vm_state: "error", task_state: null, host: null, node: null });
    expect(row.fault?.message).toBe(
      `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`,
    );
    expect(row.fault?.details).toContain("cpu-1: Build of instance");
    expect(row.fault?.details).toContain("cpu-2 broke");
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    expect(await usage("cpu-2")).toEqual([0, 0, 0]);
    const action = await h.dbs.cellDb.actions.getByRequestId(uuid, ctx.request_id);
    expect((await h.dbs.cellDb.actions.events(action.id)).map((e) => e.result)).toEqual(["Error"]);
  });

  it("does not reschedule a BuildAbortException", async () => {
    await setup();
    h.builds["cpu-1"] = (args) => {
      throw new BuildAbortException({
        instance_uuid: args.instance["nova_object.data"].uuid,
        reason: "bad image",
      });
    };
    const { uuid } = await boot();
    expect(builds()).toEqual(["cpu-1"]);
    const row = await h.dbs.cellDb.instances.get(uuid, { withFault: true });
    expect(row.vm_state).toBe("error");
    expect(row.fault?.message).toMatch(/aborted: bad image/);
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
  });

  it("keeps an unschedulable instance in cell0, ERROR with the scheduler's explanation", async () => {
    await setup();
    h.scheduler.mode = "novalid";
    const { uuid, ctx } = await boot();
    expect(builds()).toEqual([]);
    const mapping = await h.dbs.apiDb.mappings.getInstanceMapping(uuid);
    expect(mapping.cell_mapping?.uuid).toBe(CELL0_UUID);
    const buried = await h.dbs.cell0Db.instances.get(uuid, { withFault: true });
    expect(buried).toMatchObject({ vm_state: "error", task_state: null, host: null, display_name: "vm" });
    expect(buried.fault).toMatchObject({
      code: 500,
      message: "No valid host was found. There are not enough hosts available.",
    });
    await expect(h.dbs.cellDb.instances.get(uuid)).rejects.toThrow(/could not be found/);
    const action = await h.dbs.cell0Db.actions.getByRequestId(uuid, ctx.request_id);
    expect((await h.dbs.cell0Db.actions.events(action.id)).map((e) => [e.event, e.result])).toEqual([
      [SCHEDULE_EVENT, "Error"],
    ]);
  });

  it("without a cell0 keeps the unschedulable instance ERROR in its cell", async () => {
    await setup({ cell0: false });
    h.scheduler.mode = "novalid";
    const { uuid } = await boot();
    const row = await h.dbs.cellDb.instances.get(uuid, { withFault: true });
    expect(row.vm_state).toBe("error");
    expect(row.fault?.message).toBe("No valid host was found. There are not enough hosts available.");
    expect((await h.dbs.apiDb.mappings.getInstanceMapping(uuid)).cell_mapping?.uuid).toBe(h.dbs.cellUuid);
  });

  it("stops a build deleted while the compute spawned: row gone, claim back, compute told to terminate", async () => {
    await setup();
    h.builds["cpu-1"] = async (args, host) => {
      const uuid = args.instance["nova_object.data"].uuid as string;
      // The user's DELETE lands while the guest spawns.
      await h.dbs.cellDb.instances.update(uuid, { task_state: "deleting" });
      return { instance_uuid: uuid, host, node: host, power_state: 1, vm_state: "active", launched_at: null };
    };
    const { uuid } = await boot();
    await expect(h.dbs.cellDb.instances.get(uuid)).rejects.toThrow(/could not be found/);
    // The row ends as a compute's terminate leaves it (Nova's local delete), not "building".
    expect(await h.dbs.cellDb.instances.get(uuid, { readDeleted: true })).toMatchObject({
      deleted: true,
      vm_state: "deleted",
      task_state: null,
      terminated_at: expect.any(Date),
    });
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    for (let i = 0; i < 500 && !h.computeCalls.some((c) => c.method === "terminate_instance"); i++) {
      await new Promise((r) => setImmediate(r));
    }
    const terminate = h.computeCalls.find((c) => c.method === "terminate_instance");
    expect(terminate?.host).toBe("cpu-1");
    expect(InstanceCodec.fromPrimitive(terminate?.args.instance)).toMatchObject({
      uuid,
      task_state: "deleting",
    });
    expect(h.service.computeTasks.counters.deleted).toBe(1);
  });

  it("releases a claim once when the compute destroys the instance (Instance.destroy) during the build", async () => {
    await setup();
    // Another instance already uses cpu-1: a second release would show as usage below it.
    await h.dbs.cellDb.computeNodes.claim(h.nodes["cpu-1"]!.uuid, { vcpus: 1, memory_mb: 512, local_gb: 1 });
    const objects = new ConductorObjectsAPI(
      new ConductorAPI({ transport: h.bus.transport(), rpcResponseTimeout: 30 }),
    );
    h.builds["cpu-1"] = async (args, host) => {
      const uuid = args.instance["nova_object.data"].uuid;
      // terminate_instance reached this compute mid-spawn: it destroys the instance through the conductor.
      await objects.instanceDestroy(adminContext(), { uuid });
      return { instance_uuid: uuid, host, node: host, power_state: 1, vm_state: "active", launched_at: null };
    };
    const { uuid } = await boot();
    await expect(h.dbs.cellDb.instances.get(uuid)).rejects.toThrow(/could not be found/);
    expect(await usage("cpu-1")).toEqual([1, 512, 1]);
    expect(await usage("cpu-2")).toEqual([0, 0, 0]);
    for (let i = 0; i < 500 && !h.computeCalls.some((c) => c.method === "terminate_instance"); i++) {
      await new Promise((r) => setImmediate(r));
    }
    expect(h.computeCalls.filter((c) => c.method === "terminate_instance").map((c) => c.host)).toEqual([
      "cpu-1",
    ]);
  });

  it("moves the claim exactly once per reschedule (other instances' usage untouched)", async () => {
    await setup();
    for (const host of ["cpu-1", "cpu-2"]) {
      await h.dbs.cellDb.computeNodes.claim(h.nodes[host]!.uuid, { vcpus: 1, memory_mb: 512, local_gb: 1 });
    }
    h.builds["cpu-1"] = (args) => {
      throw new RescheduledException({
        instance_uuid: args.instance["nova_object.data"].uuid,
        reason: "injected",
      });
    };
    const { uuid } = await boot();
    expect((await h.dbs.cellDb.instances.get(uuid)).host).toBe("cpu-2");
    expect(await usage("cpu-1")).toEqual([1, 512, 1]);
    expect(await usage("cpu-2")).toEqual([2, 1024, 2]);
  });

  it("stops a build deleted while it was scheduled, giving back the scheduler's claim", async () => {
    await setup();
    let deleted = "";
    h.scheduler.hook = async ([uuid]) => {
      // The API's delete of a server still scheduling: as Nova's, it is a build request until it has a cell.
      deleted = uuid!;
      await h.dbs.apiDb.buildRequests.delete(uuid!);
    };
    await boot();
    expect(builds()).toEqual([]);
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    await expect(h.dbs.cellDb.instances.get(deleted)).rejects.toThrow(/could not be found/);
  });

  it("builds nothing for a build request deleted before the conductor got to it", async () => {
    await setup();
    const accepted = await acceptBoot(h.dbs.apiDb);
    await h.dbs.apiDb.buildRequests.delete(accepted.uuid);
    const client = new RpcClient(h.bus.transport(), {
      topic: "conductor",
      namespace: "compute_task",
      version: "1.17",
    });
    await client.call({} as never, "schedule_and_build_instances", {
      build_requests: [accepted.buildRequest],
      request_specs: [accepted.requestSpec],
      image: {},
    });
    await h.service.computeTasks.drain();
    await expect(h.dbs.cellDb.instances.get(accepted.uuid, { readDeleted: true })).rejects.toThrow(
      /could not be found/,
    );
    await expect(h.dbs.apiDb.mappings.getInstanceMapping(accepted.uuid)).rejects.toThrow(
      /could not be found/,
    );
    expect(builds()).toEqual([]);
  });

  it("skips a compute that is down without calling it", async () => {
    await setup({ downHosts: ["cpu-1"] });
    const { uuid } = await boot();
    expect(builds()).toEqual(["cpu-2"]);
    expect(await h.dbs.cellDb.instances.get(uuid)).toMatchObject({ vm_state: "active", host: "cpu-2" });
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
  });

  it("reschedules when the compute never answers (call-monitor timeout, manual clock)", async () => {
    await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h.builds["cpu-1"] = async () => {
      await gate; // a compute that hangs (and, on its own clock, sends no heartbeat in time)
      throw new Error("too late");
    };
    const accepted = boot();
    for (let i = 0; i < 2000 && !builds().includes("cpu-1"); i++) await new Promise((r) => setTimeout(r, 2));
    await h.clock.advance(61_000); // past rpc_response_timeout with no call-monitor heartbeat
    const { uuid } = await accepted;
    release();
    expect(builds()).toEqual(["cpu-1", "cpu-2"]);
    expect(await h.dbs.cellDb.instances.get(uuid)).toMatchObject({ vm_state: "active", host: "cpu-2" });
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
    expect(await usage("cpu-2")).toEqual([1, 512, 1]);
  });

  it("refuses a malformed request with a clear error and keeps serving", async () => {
    await setup();
    const client = new RpcClient(
      h.bus.transport(),
      { topic: "conductor", namespace: "compute_task", version: "1.17" },
      { remoteErrors: novaRemoteErrors },
    );
    const err = (await client
      .call({} as never, "schedule_and_build_instances", { build_requests: [{}], request_specs: [] })
      .catch((e: unknown) => e)) as { failure?: { className: string; message: string } };
    expect(err.failure?.className).toBe("InvalidBuildRequest");
    expect(err.failure?.message).toMatch(/request_specs must be a list as long as build_requests/);
    const bad = (await client
      .call({} as never, "schedule_and_build_instances", {
        build_requests: [{ a: 1 }],
        request_specs: [{ b: 2 }],
      })
      .catch((e: unknown) => e)) as { failure?: { message: string } };
    expect(bad.failure?.message).toMatch(/not a Nova object primitive/);
    const { uuid } = await boot();
    expect((await h.dbs.cellDb.instances.get(uuid)).vm_state).toBe("active");
  });

  it("stop() finishes the builds in flight before it returns", async () => {
    await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h.builds["cpu-1"] = async (args, host) => {
      await gate;
      return {
        instance_uuid: args.instance["nova_object.data"].uuid,
        host,
        node: host,
        power_state: 1,
        vm_state: "active",
        launched_at: null,
      };
    };
    const accepted = await acceptBoot(h.dbs.apiDb);
    await new RpcClient(h.bus.transport(), {
      topic: "conductor",
      namespace: "compute_task",
      version: "1.17",
    }).call({} as never, "schedule_and_build_instances", {
      build_requests: [accepted.buildRequest],
      request_specs: [accepted.requestSpec],
      image: {},
    });
    let stopped = false;
    const stopping = h.service.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 2000 && !builds().includes("cpu-1"); i++) await new Promise((r) => setTimeout(r, 2));
    expect(stopped).toBe(false);
    expect(h.service.computeTasks.buildsInFlight).toBe(1);
    release();
    await stopping;
    expect((await h.dbs.cellDb.instances.get(accepted.uuid)).vm_state).toBe("active");
  });
});

describe("createConductorService", () => {
  it("refuses to start without a cell to build in, naming what to run", async () => {
    const dbs = await openDatabases("sqlite");
    const bus = fakeBus();
    try {
      await dbs.apiDb.db.kysely.deleteFrom("cell_mappings").where("uuid", "!=", CELL0_UUID).execute();
      const service = createConductorService({
        transport: bus.transport(),
        apiDb: dbs.apiDb,
        cellDb: dbs.cellDb,
        clock: new FakeClock(START),
        logger: silentLogger,
        config: {},
      });
      // A failed start leaves the service stopped (as Nova's), so the one attempt's error is the one to check:
      // a nova-ts error with a stable code, whichever copy of the package threw it.
      const err = await service.start().catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /no cell is mapped besides cell0 \(nova-manage cell_v2 create_cell\)/,
      );
      expect(ConductorSetupError.isInstance(err)).toBe(true);
      expect(hasErrorCode(err, "CONDUCTOR_SETUP")).toBe(true);
      expect(() =>
        createConductorService({
          transport: bus.transport(),
          apiDb: dbs.apiDb,
          cellDb: dbs.cellDb,
          clock: new FakeClock(START),
          logger: silentLogger,
          config: { instance_build_timeout: -1 },
        }),
      ).toThrow(/instance_build_timeout/);
    } finally {
      await bus.close();
      await dbs.dispose();
    }
  });
});

describe("periodic checks with an injected clock", () => {
  it("fails builds stuck past instance_build_timeout and gives their claim back", async () => {
    await setup();
    const node = h.nodes["cpu-1"]!;
    await h.dbs.cellDb.computeNodes.claim(node.uuid, { vcpus: 1, memory_mb: 512, local_gb: 1 });
    const stuck = await h.dbs.cellDb.instances.create({
      uuid: "5a5a5a5a-0000-4000-8000-000000000001",
      vm_state: "building",
      task_state: "spawning",
      host: "cpu-1",
      node: "cpu-1",
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      ephemeral_gb: 0,
    });
    await h.clock.advance(300_000);
    const fresh = await h.dbs.cellDb.instances.create({
      uuid: "5a5a5a5a-0000-4000-8000-000000000002",
      vm_state: "building",
      task_state: "scheduling",
    });
    expect((await h.dbs.cellDb.instances.get(stuck.uuid)).vm_state).toBe("building");
    await h.clock.advance(360_000); // stuck: 660 s old > 600; fresh: 360 s
    await h.service.buildTimeouts.stop(); // let a check in progress finish
    const row = await h.dbs.cellDb.instances.get(stuck.uuid, { withFault: true });
    expect(row).toMatchObject({ vm_state: "error", task_state: null, host: null });
    expect(row.fault?.message).toBe(`Build of instance ${stuck.uuid} timed out after 600 seconds.`);
    expect(row.fault?.details).toBe("task_state was spawning");
    expect((await h.dbs.cellDb.instances.get(fresh.uuid)).vm_state).toBe("building");
    expect(await usage("cpu-1")).toEqual([0, 0, 0]);
  });

  it("notifies service.update when a compute stops reporting, once", async () => {
    await setup({ notify: true });
    const received: Notification[] = [];
    const listener = new NotificationListener(
      h.bus.transport(),
      (n) => {
        received.push(n);
      },
      { topics: ["notifications"], priorities: ["info"] },
    );
    await listener.start();
    try {
      await h.clock.advance(70_000); // nobody reported for 70 s > service_down_time (60 s)
      await h.clock.advance(20_000); // two more checks: no second notification
      for (let i = 0; i < 500 && received.length < 2; i++) await new Promise((r) => setImmediate(r));
      const events = received.map((n) => {
        const data = (n.payload as { "nova_object.data": Record<string, unknown> })["nova_object.data"];
        return `${n.eventType} ${n.publisherId} ${data.host} up=${data.is_up}`;
      });
      expect(events.sort()).toEqual([
        "service.update nova-compute:cpu-1 cpu-1 up=false",
        "service.update nova-compute:cpu-2 cpu-2 up=false",
      ]);
    } finally {
      await listener.stop();
    }
  });

  it("serves heartbeats in a pool of their own: a window's reports share one write even with a pool of 1", async () => {
    const hosts = ["cpu-1", "cpu-2", "cpu-3", "cpu-4", "cpu-5"];
    await setup({ hosts, config: { executor_thread_pool_size: 1, heartbeat_batch_window_ms: 1000 } });
    const api = new ConductorAPI({ transport: h.bus.transport(), rpcResponseTimeout: 30 });
    const objects = new ConductorObjectsAPI(api);
    const ctx = adminContext();
    const rows = await Promise.all(
      hosts.map((host) => objects.serviceGetByHostAndBinary(ctx, host, "nova-compute")),
    );
    const writes0 = h.service.heartbeatStore.counters.heartbeatWrites;
    let answered = 0;
    const beats = rows.map((svc) =>
      api
        .objectAction(
          ctx,
          ServiceCodec.toPrimitive({ ...svc, report_count: 2 }, { changes: ["report_count"] }),
          "save",
        )
        .then(() => {
          answered++;
        }),
    );
    // Sharing the pool of 1, each report would wait for its own 1 s window (5 s in all); in their own pool
    // they share the first window.
    for (let i = 0; i < 150 && answered < hosts.length; i++) {
      await new Promise((r) => setTimeout(r, 1));
      await h.clock.advance(10);
    }
    expect(answered).toBe(hosts.length);
    await Promise.all(beats);
    expect(h.service.heartbeatStore.counters.heartbeatWrites - writes0).toBe(1);
    const counts = await Promise.all(
      hosts.map((host) => h.dbs.cellDb.services.getByHostAndBinary(host, "nova-compute")),
    );
    expect(counts.map((c) => c.report_count)).toEqual([2, 2, 2, 2, 2]);
  });
});
