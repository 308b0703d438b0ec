import { FakeBroker, RpcServer, Transport } from "@nova/messaging";
import { afterEach, describe, expect, it } from "vitest";
import { ConductorAPI } from "./conductor-api.js";
import { ConductorObjectsAPI } from "./conductor-objects-api.js";
import { InstanceNotFound, UnexpectedTaskStateError } from "./nova-exceptions.js";
import { adminContext } from "./request-context.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function setup(methods: Record<string, (ctx: Record<string, unknown>, args: any) => unknown>) {
  const broker = new FakeBroker();
  const a = new Transport("fake://", { fakeBroker: broker });
  const b = new Transport("fake://", { fakeBroker: broker });
  const server = new RpcServer(b, { topic: "conductor", server: "ctl" }, [{ version: "3.0", methods }]);
  await server.start();
  closers.push(
    () => a.close(),
    () => b.close(),
    () => server.stop(),
  );
  return new ConductorObjectsAPI(new ConductorAPI({ transport: a, rpcResponseTimeout: 5 }));
}

describe("ConductorObjectsAPI", () => {
  it("sends Instance.save with its changes and expected states, and merges the conductor's updates", async () => {
    const seen: any[] = [];
    const api = await setup({
      object_action: (_ctx, args) => {
        seen.push(args);
        return [{ updated_at: "2026-11-27T10:00:00Z", obj_what_changed: [] }, null];
      },
    });
    const saved = await api.instanceSave(
      adminContext(),
      { uuid: "11111111-2222-4333-8444-555555555555", vm_state: "active", task_state: null, power_state: 1 },
      ["vm_state", "task_state", "power_state"],
      { expectedTaskState: ["spawning"] },
    );
    expect(seen[0]).toMatchObject({
      objmethod: "save",
      kwargs: { expected_task_state: ["spawning"] },
      objinst: {
        "nova_object.name": "Instance",
        "nova_object.changes": ["vm_state", "task_state", "power_state"],
      },
    });
    expect(saved.updated_at?.toISOString()).toBe("2026-11-27T10:00:00.000Z");
    expect(saved.vm_state).toBe("active");
  });

  it("rebuilds the conductor's UnexpectedTaskStateError", async () => {
    const api = await setup({
      object_action: () => {
        throw new UnexpectedTaskStateError({ instance_uuid: "x", expected: "spawning", actual: "deleting" });
      },
    });
    await expect(
      api.instanceSave(adminContext(), { uuid: "11111111-2222-4333-8444-555555555555" }, []),
    ).rejects.toBeInstanceOf(UnexpectedTaskStateError);
  });

  it("reads a missing service as null and a list of compute nodes as objects", async () => {
    const api = await setup({
      object_class_action_versions: (_ctx, args) => {
        if (args.objname === "Service") return null;
        return {
          "nova_object.name": "ComputeNodeList",
          "nova_object.namespace": "nova",
          "nova_object.version": "1.17",
          "nova_object.data": {
            objects: [
              {
                "nova_object.name": "ComputeNode",
                "nova_object.namespace": "nova",
                "nova_object.version": "1.19",
                "nova_object.data": { host: "cpu-1", vcpus: 8 },
              },
            ],
          },
        };
      },
    });
    await expect(api.serviceGetByHostAndBinary(adminContext(), "cpu-1", "nova-compute")).resolves.toBeNull();
    const nodes = await api.computeNodesGetAllByHost(adminContext(), "cpu-1");
    expect(nodes).toEqual([{ host: "cpu-1", vcpus: 8 }]);
  });
  it("reads an instance by uuid (Instance.get_by_uuid) and rebuilds the conductor's InstanceNotFound", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const api = await setup({
      object_class_action_versions: (_ctx, args) => {
        seen.push(args);
        if (args.args[0] === "gone") throw new InstanceNotFound({ instance_id: "gone" });
        return {
          "nova_object.name": "Instance",
          "nova_object.namespace": "nova",
          "nova_object.version": "2.7",
          "nova_object.data": { uuid: args.args[0], vm_state: "active", power_state: 1 },
        };
      },
    });
    const inst = await api.instanceGetByUuid(adminContext(), "11111111-2222-4333-8444-555555555555");
    expect(inst).toEqual({
      uuid: "11111111-2222-4333-8444-555555555555",
      vm_state: "active",
      power_state: 1,
    });
    expect(seen[0]).toMatchObject({
      objname: "Instance",
      objmethod: "get_by_uuid",
      kwargs: { expected_attrs: [] },
    });
    await expect(api.instanceGetByUuid(adminContext(), "gone")).rejects.toBeInstanceOf(InstanceNotFound);
  });

  it("creates an instance fault with every field as a change (InstanceFault.create)", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const api = await setup({
      object_action: (_ctx, args) => {
        seen.push(args);
        return [{ id: 12, created_at: "2026-11-27T10:00:00Z" }, null];
      },
    });
    const fault = await api.instanceFaultCreate(adminContext(), {
      instance_uuid: "11111111-2222-4333-8444-555555555555",
      code: 500,
      message: "boom",
      details: "",
      host: "cpu-1",
    });
    expect(seen[0]).toMatchObject({
      objmethod: "create",
      objinst: {
        "nova_object.name": "InstanceFault",
        "nova_object.changes": ["instance_uuid", "code", "message", "details", "host"],
      },
    });
    expect(fault.id).toBe(12);
    expect(fault.created_at?.toISOString()).toBe("2026-11-27T10:00:00.000Z");
  });
  it("lists a host's instances as Nova's compute does (InstanceList.get_by_host, use_slave)", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const api = await setup({
      object_class_action_versions: (_ctx, args) => {
        seen.push(args);
        return {
          "nova_object.name": "InstanceList",
          "nova_object.namespace": "nova",
          "nova_object.version": "2.6",
          "nova_object.data": {
            objects: [
              {
                "nova_object.name": "Instance",
                "nova_object.namespace": "nova",
                "nova_object.version": "2.7",
                "nova_object.data": { uuid: "11111111-2222-4333-8444-555555555555", host: "cpu-1" },
              },
            ],
          },
        };
      },
    });
    const list = await api.instancesGetByHost(adminContext(), "cpu-1");
    expect(list).toEqual([{ uuid: "11111111-2222-4333-8444-555555555555", host: "cpu-1" }]);
    expect(seen[0]).toMatchObject({
      objname: "InstanceList",
      objmethod: "get_by_host",
      args: ["cpu-1"],
      kwargs: { expected_attrs: [], use_slave: true },
    });
  });
});
