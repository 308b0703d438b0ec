import { describe, expect, it } from "vitest";
import {
  ComputeNodeCodec,
  decodeNovaValue,
  InstanceCodec,
  InstanceListCodec,
  type NovaObjectPrimitive,
  novaObjectCodecs,
  objectChanges,
  PowerState,
  RequestSpecCodec,
  requestSpecImageProperties,
  SelectionCodec,
  ServiceCodec,
} from "../src/index.js";
import { captured, capturedMessages, primitivesIn } from "./fixture-loader.js";

describe("versioned-object wire form, against real Nova traffic", () => {
  const all = capturedMessages().flatMap(({ file, message }) =>
    primitivesIn(message).map((p) => ({ file, p: p as unknown as NovaObjectPrimitive })),
  );
  const modelled = all.filter(({ p }) => novaObjectCodecs.has(p["nova_object.name"]));

  it("finds the captured objects this package models", () => {
    const names = new Set(modelled.map(({ p }) => p["nova_object.name"]));
    for (const n of ["Instance", "InstanceList", "Flavor", "Service", "ComputeNode", "ComputeNodeList"]) {
      expect(names).toContain(n);
    }
    for (const n of ["RequestSpec", "BuildRequest", "Selection"]) expect(names).toContain(n);
  });

  it("decodes and re-encodes every captured object to exactly the bytes' JSON", () => {
    expect(modelled.length).toBeGreaterThan(25);
    for (const { file, p } of modelled) {
      const codec = novaObjectCodecs.get(p["nova_object.name"])!;
      const back = codec.toPrimitive(codec.fromPrimitive(p));
      expect(back, `${file} ${p["nova_object.name"]}`).toEqual(p);
    }
  });

  it("gives typed fields: dates, power_state numbers, vm/task states, nested flavor", () => {
    const msg = captured("delete/012_call_conductor_object_action_Instance.save_.json");
    const objinst = (msg.args as { objinst: unknown }).objinst;
    const inst = InstanceCodec.fromPrimitive(objinst);
    expect(inst.vm_state).toBe("deleted");
    expect(inst.task_state).toBeNull();
    expect(inst.power_state).toBe(PowerState.NOSTATE);
    expect(inst.terminated_at).toEqual(new Date("2026-11-27T07:08:53Z"));
    expect(inst.flavor?.name).toBe("peer.tiny");
    expect(inst.flavor?.memory_mb).toBe(64);
    expect(objectChanges(inst)).toEqual([
      "power_state",
      "info_cache",
      "terminated_at",
      "task_state",
      "vm_state",
    ]);
    expect(InstanceCodec.valueSchema.safeParse(inst).success).toBe(true);
  });

  it("keeps the heartbeat's changes list so save() knows to write report_count only", () => {
    const msg = captured("boot/003_call_conductor_object_action_Service.save_.json");
    const svc = ServiceCodec.fromPrimitive((msg.args as { objinst: unknown }).objinst);
    expect(objectChanges(svc)).toEqual(["report_count"]);
    expect(svc.report_count).toBe(37);
    expect(svc.last_seen_up?.toISOString()).toBe("2026-11-27T07:08:33.000Z");
    expect(ServiceCodec.schema.safeParse(svc).success).toBe(false); // availability_zone was not sent
  });

  it("decodes object_action reply updates by field type", () => {
    const msg = captured("boot/016_reply_reply_9827226d9191484ebd6b3f3d973c3917_reply_ending.json");
    const [updates] = msg.result as [Record<string, unknown>, null];
    const decoded = ComputeNodeCodec.decodeFields(updates);
    expect(decoded.updated_at).toEqual(new Date("2026-11-27T07:08:45Z"));
    const { obj_what_changed: _ignored, ...fields } = updates;
    expect(ComputeNodeCodec.encodeFields(decoded)).toEqual(fields);
  });

  it("reads the scheduler's inputs and outputs", () => {
    const req = captured("boot/002_call_scheduler_select_destinations.json");
    const spec = RequestSpecCodec.fromPrimitive((req.args as { spec_obj: unknown }).spec_obj);
    expect(spec.num_instances).toBe(1);
    expect(spec.flavor?.vcpus).toBe(1);
    expect(requestSpecImageProperties(spec)).toEqual({});
    const reply = captured("boot/005_reply_reply_a0492b4f2e2b4b21ba239e0f47b09c39_reply_ending.json");
    const [[first]] = reply.result as [[unknown]];
    const sel = SelectionCodec.fromPrimitive(first);
    expect(sel.service_host).toBe("peer-cpu-1");
  });

  it("decodes lists and whole RPC argument dicts", () => {
    const msg = captured("boot/029_fanout-cast_scheduler_fanout_update_instance_info.json");
    const args = decodeNovaValue(msg.args) as { instance_info: unknown[]; host_name: string };
    expect(args.host_name).toBe("peer-cpu-1");
    expect(Array.isArray(args.instance_info)).toBe(true);
    const raw = (msg.args as { instance_info: unknown }).instance_info;
    expect(InstanceListCodec.toPrimitive(InstanceListCodec.fromPrimitive(raw))).toEqual(raw);
  });
});
