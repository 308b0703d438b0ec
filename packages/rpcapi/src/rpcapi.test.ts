import { FakeBroker, RpcServer, RpcVersionCapError, Transport } from "@nova/messaging";
import { afterEach, describe, expect, it } from "vitest";
import { ComputeAPI } from "./compute-api.js";
import { ComputeTaskAPI, ConductorAPI } from "./conductor-api.js";
import { NoValidHost, NovaException } from "./nova-exceptions.js";
import { adminContext, fromWireContext, userContext } from "./request-context.js";
import { SchedulerAPI } from "./scheduler-api.js";

const selection = {
  "nova_object.name": "Selection",
  "nova_object.namespace": "nova",
  "nova_object.version": "1.1",
  "nova_object.data": {
    compute_node_uuid: "8a3f5e1c-0000-4000-8000-000000000001",
    service_host: "cpu-1",
    nodename: "cpu-1",
    cell_uuid: "00000000-0000-0000-0000-000000000000",
    limits: null,
    allocation_request: null,
    allocation_request_version: null,
    availability_zone: null,
  },
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

function bus() {
  const broker = new FakeBroker();
  const make = () => {
    const t = new Transport("fake://", { fakeBroker: broker, options: { control_exchange: "nova" } });
    closers.push(() => t.close());
    return t;
  };
  return { client: make(), server: make() };
}

async function serve(
  transport: Transport,
  topic: string,
  server: string,
  endpoint: ConstructorParameters<typeof RpcServer>[2][number],
) {
  const s = new RpcServer(transport, { topic, server }, [endpoint]);
  await s.start();
  closers.push(() => s.stop());
  return s;
}

describe("RPC API clients over the fake transport", () => {
  it("casts schedule_and_build_instances to the compute_task namespace with Nova's arguments and context", async () => {
    const { client, server } = bus();
    const got: Array<{ ctx: Record<string, unknown>; args: Record<string, unknown> }> = [];
    let done!: () => void;
    const arrived = new Promise<void>((r) => {
      done = r;
    });
    await serve(server, "conductor", "ctl-1", {
      namespace: "compute_task",
      version: "1.24",
      methods: {
        schedule_and_build_instances: (ctx, args) => {
          got.push({ ctx, args });
          done();
        },
      },
    });
    const ctx = userContext({ user_id: "u1", project_id: "p1", roles: ["member"] });
    await new ComputeTaskAPI({ transport: client }).scheduleAndBuildInstances(ctx, {
      build_requests: [{ project_id: "p1" }],
      request_specs: [{ num_instances: 1, project_id: "p1" }],
      image: { id: "img-1" },
    });
    await arrived;
    expect(got[0]?.args.build_requests).toEqual([
      expect.objectContaining({
        "nova_object.name": "BuildRequest",
        "nova_object.data": { project_id: "p1" },
      }),
    ]);
    expect(got[0]?.args.request_specs).toEqual([
      expect.objectContaining({ "nova_object.name": "RequestSpec", "nova_object.version": "1.14" }),
    ]);
    expect(got[0]?.args).toMatchObject({ image: { id: "img-1" }, admin_password: null, tags: [] });
    const back = fromWireContext(got[0]!.ctx);
    expect(back).toMatchObject({
      user_id: "u1",
      project_id: "p1",
      roles: ["member"],
      request_id: ctx.request_id,
    });
    expect(got[0]?.ctx.tenant).toBe("p1"); // Nova's alias, for Python peers
  });

  it("calls select_destinations and decodes the selections; NoValidHost comes back typed with its reason", async () => {
    const { client, server } = bus();
    let fail = false;
    await serve(server, "scheduler", "sch-1", {
      version: "4.5",
      methods: {
        select_destinations: (_ctx, args) => {
          if (fail) throw new NoValidHost({ reason: "There are not enough hosts available." });
          expect(args).toMatchObject({
            return_objects: true,
            return_alternates: true,
            instance_uuids: ["i-1"],
          });
          expect(args.spec_obj["nova_object.name"]).toBe("RequestSpec");
          return [[selection, { ...selection }]];
        },
      },
    });
    const api = new SchedulerAPI({ transport: client, rpcResponseTimeout: 5, longRpcTimeout: 10 });
    const result = await api.selectDestinations(adminContext(), { num_instances: 1 }, ["i-1"]);
    expect(result).toHaveLength(1);
    expect(result[0]?.map((s) => s.service_host)).toEqual(["cpu-1", "cpu-1"]);

    fail = true;
    const err = await api
      .selectDestinations(adminContext(), { num_instances: 1 }, ["i-1"])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoValidHost);
    expect(err).toBeInstanceOf(NovaException);
    expect((err as NoValidHost).message).toBe(
      "No valid host was found. There are not enough hosts available.",
    );
    expect((err as NoValidHost).kwargs).toMatchObject({
      reason: "There are not enough hosts available.",
      code: 500,
    });
  });

  it("sends instance actions to compute.<host> only", async () => {
    const { client, server } = bus();
    const seen: string[] = [];
    let done!: () => void;
    const arrived = new Promise<void>((r) => {
      done = r;
    });
    for (const host of ["cpu-1", "cpu-2"]) {
      await serve(server, "compute", host, {
        version: "6.1",
        methods: {
          reboot_instance: (_ctx, args) => {
            seen.push(`${host}:${args.reboot_type}:${args.instance["nova_object.data"].uuid}`);
            done();
          },
        },
      });
    }
    await new ComputeAPI({ transport: client }).rebootInstance(
      adminContext(),
      "cpu-2",
      { uuid: "11111111-2222-4333-8444-555555555555" },
      "HARD",
    );
    await arrived;
    expect(seen).toEqual(["cpu-2:HARD:11111111-2222-4333-8444-555555555555"]);
  });

  it("answers object_action with [updates, result] and refuses a malformed reply", async () => {
    const { client, server } = bus();
    let reply: unknown = [{ report_count: 5 }, null];
    await serve(server, "conductor", "ctl-1", {
      version: "3.0",
      methods: { object_action: () => reply },
    });
    const api = new ConductorAPI({ transport: client, rpcResponseTimeout: 5 });
    await expect(
      api.objectAction(adminContext(), { "nova_object.name": "Service" }, "save"),
    ).resolves.toEqual([{ report_count: 5 }, null]);
    reply = "nonsense";
    await expect(api.objectAction(adminContext(), {}, "save")).rejects.toThrow(/updates, result/);
  });

  it("honours [upgrade_levels]: a version above the cap is refused before sending", async () => {
    const { client } = bus();
    const api = new ComputeTaskAPI({ transport: client, versionCap: "1.10" });
    await expect(
      api.scheduleAndBuildInstances(adminContext(), { build_requests: [], request_specs: [], image: {} }),
    ).rejects.toBeInstanceOf(RpcVersionCapError);
  });
});
