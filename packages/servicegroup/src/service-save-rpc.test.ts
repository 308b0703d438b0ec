import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { ServiceCodec } from "@nova/objects";
import { describe, expect, it } from "vitest";
import heartbeat from "../test/fixtures/service-save-heartbeat.json" with { type: "json" };
import { HeartbeatRecorder } from "./heartbeat-recorder.js";
import { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";
import {
  isServiceSaveHeartbeat,
  recordServiceSaveHeartbeat,
  ServiceSaveHeartbeatSender,
} from "./service-save-rpc.js";

const row = {
  id: 4,
  uuid: "65b96477-62cb-4f7c-806f-28773ba3e5df",
  host: "peer-cpu-1",
  binary: "nova-compute",
  topic: "compute",
  report_count: 36,
  disabled: false,
  disabled_reason: null,
  last_seen_up: new Date("2026-11-27T07:08:23Z"),
  forced_down: false,
  version: 64,
};

describe("Service.save heartbeats over object_action", () => {
  it("tells Nova's captured heartbeat request from other object actions", () => {
    const { method, args } = heartbeat.request as { method: string; args: Record<string, unknown> };
    expect(isServiceSaveHeartbeat({ method, args })).toBe(true);
    const objinst = args.objinst as Record<string, unknown>;
    const otherChange = { ...objinst, "nova_object.changes": ["report_count", "disabled"] };
    expect(isServiceSaveHeartbeat({ method, args: { ...args, objinst: otherChange } })).toBe(false);
    const node = { ...objinst, "nova_object.name": "ComputeNode" };
    expect(isServiceSaveHeartbeat({ method, args: { ...args, objinst: node } })).toBe(false);
    expect(isServiceSaveHeartbeat({ method, args: { ...args, objmethod: "create" } })).toBe(false);
    expect(isServiceSaveHeartbeat({ method: "object_class_action_versions", args })).toBe(false);
    expect(isServiceSaveHeartbeat({ method, args: { objinst: null } })).toBe(false);
  });

  it("the conductor side answers Nova's captured heartbeat as Nova does", async () => {
    const clock = new FakeClock(Date.parse("2026-11-27T07:08:43Z"));
    const store = new InMemoryHeartbeatStore();
    await store.ensureService({ host: "peer-cpu-1", binary: "nova-compute", topic: "compute" }, clock.now());
    const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, batchWindowMs: 0 });
    const pending = recordServiceSaveHeartbeat(recorder, heartbeat.request.args.objinst);
    await clock.advance(0);
    const reply = await pending;
    // Real nova-conductor's reply to this very request (the timestamps are the recording instant).
    expect(reply).toEqual(heartbeat.reply.result);
    expect((await store.listServices())[0]?.reportCount).toBe(37);
  });

  it("a save that changes more than report_count is not a heartbeat (left to the conductor's plain save)", async () => {
    const clock = new FakeClock();
    const recorder = new HeartbeatRecorder({
      store: new InMemoryHeartbeatStore(),
      clock,
      logger: silentLogger,
    });
    const objinst = ServiceCodec.toPrimitive(
      { ...row, disabled: true },
      { changes: ["disabled", "report_count"] },
    );
    await expect(recordServiceSaveHeartbeat(recorder, objinst)).resolves.toBeUndefined();
  });

  it("rejects an objinst that is not a Service", async () => {
    const clock = new FakeClock();
    const recorder = new HeartbeatRecorder({
      store: new InMemoryHeartbeatStore(),
      clock,
      logger: silentLogger,
    });
    await expect(recordServiceSaveHeartbeat(recorder, { "nova_object.name": "Instance" })).rejects.toThrow();
  });

  it("the compute side sends report_count as the only change and keeps the conductor's timestamps", async () => {
    const clock = new FakeClock(Date.parse("2026-11-27T07:08:43Z"));
    const store = new InMemoryHeartbeatStore();
    await store.ensureService({ host: "peer-cpu-1", binary: "nova-compute", topic: "compute" }, clock.now());
    const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, batchWindowMs: 0 });
    const sent: unknown[] = [];
    const sender = new ServiceSaveHeartbeatSender(async (objinst, method) => {
      expect(method).toBe("save");
      const wire = JSON.parse(JSON.stringify(objinst)); // as it travels
      sent.push(wire);
      const p = recordServiceSaveHeartbeat(recorder, wire);
      await clock.advance(0);
      const r = await p;
      if (!r) throw new Error("not a heartbeat");
      return r;
    }, row);
    const recorded = await sender.sendReport(
      { host: "peer-cpu-1", binary: "nova-compute", topic: "compute" },
      { host: "peer-cpu-1", binary: "nova-compute", reportCount: 37 },
    );
    expect(sent[0]).toMatchObject({
      "nova_object.name": "Service",
      "nova_object.version": "1.22",
      "nova_object.changes": ["report_count"],
      "nova_object.data": { host: "peer-cpu-1", report_count: 37, last_seen_up: "2026-11-27T07:08:23Z" },
    });
    expect(recorded).toEqual({ lastSeenUp: clock.now(), updatedAt: clock.now() });
    expect(sender.service.last_seen_up?.toISOString()).toBe("2026-11-27T07:08:43.000Z");
    expect(sender.service.report_count).toBe(37);
  });
});
