import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@nova/core";
import { combineObservers, FakeBroker, RpcClient, RpcServer, Transport } from "@nova/messaging";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CloudState,
  type ConsoleSnapshot,
  DecisionLog,
  type Flow,
  FlowRecorder,
  startConsoleServer,
} from "../src/index.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

// conductor casts to itself from "the API", calls the scheduler, and the scheduler answers: three hops.
async function miniControlPlane(recorder: FlowRecorder) {
  const seen: string[] = [];
  const transport = new Transport("fake://", {
    fakeBroker: new FakeBroker(),
    observer: combineObservers({ messageDropped: () => seen.push("dropped") }, recorder.observer),
  });
  let built: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    built = resolve;
  });
  const scheduler = new RpcServer(transport, { topic: "scheduler", server: "s1" }, [
    { methods: { select_destinations: async () => [{ host: "fake-1" }] } },
  ]);
  const conductor = new RpcServer(transport, { topic: "conductor", server: "c1" }, [
    {
      methods: {
        schedule_and_build_instances: async (ctx) => {
          await new RpcClient(transport, { topic: "scheduler" }).call(ctx, "select_destinations");
          built();
        },
      },
    },
  ]);
  await scheduler.start();
  await conductor.start();
  cleanups.push(async () => {
    await conductor.stop();
    await scheduler.stop();
    await transport.close();
  });
  const boot = async (id: string) => {
    await new RpcClient(transport, { topic: "conductor" }).cast(
      { request_id: id, global_request_id: id },
      "schedule_and_build_instances",
    );
    await done;
  };
  return { transport, boot };
}

describe("FlowRecorder", () => {
  it("records a request's hops with queues, msg_id, reply queue and senders, in order", async () => {
    const recorder = new FlowRecorder();
    const { boot } = await miniControlPlane(recorder);
    const updates: number[] = [];
    recorder.subscribe((f) => updates.push(f.steps.length));
    await boot("req-a");
    const flow = recorder.get("req-a")!;
    expect(flow.title).toBe("schedule_and_build_instances");
    expect(flow.origin).toBe("api");
    const steps = flow.steps.map((s) => [s.kind, s.from, s.to, s.queue, s.method]);
    expect(steps).toEqual([
      ["cast", "api", "conductor", "conductor", "schedule_and_build_instances"],
      ["call", "conductor", "scheduler", "scheduler", "select_destinations"],
      ["reply", "scheduler", "conductor", expect.stringMatching(/^reply_/), "select_destinations"],
    ]);
    const [cast, call, reply] = flow.steps;
    expect(cast!.msg_id).toBeNull();
    expect(call!.msg_id).toMatch(/^[0-9a-f]{32}$/);
    expect(reply!.msg_id).toBe(call!.msg_id);
    expect(reply!.queue).toBe(call!.reply_queue);
    expect(call!.duration_ms).not.toBeNull();
    expect(reply!.duration_ms).not.toBeNull();
    expect(updates.length).toBeGreaterThanOrEqual(3);
  });

  it("forgets the oldest flows past its limit", async () => {
    const recorder = new FlowRecorder({ maxFlows: 2 });
    const transport = new Transport("fake://", { fakeBroker: new FakeBroker(), observer: recorder.observer });
    cleanups.push(() => transport.close());
    for (const id of ["r1", "r2", "r3"])
      await new RpcClient(transport, { topic: "nowhere" }).cast({ request_id: id }, "ping");
    expect(recorder.list().map((f) => [f.id, f.origin])).toEqual([
      ["r2", "periodic"],
      ["r3", "periodic"],
    ]);
  });
});

describe("the console server", () => {
  async function started(cloud: CloudState) {
    const uiDir = mkdtempSync(join(tmpdir(), "console-ui-"));
    writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>page</title>");
    const recorder = new FlowRecorder();
    const decisions = new DecisionLog();
    let reads = 0;
    const server = await startConsoleServer({
      flows: recorder,
      decisions,
      cloud: {
        read: async () => {
          reads++;
          return cloud;
        },
      },
      uiDir,
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
    });
    cleanups.push(async () => {
      await server.close();
      rmSync(uiDir, { recursive: true, force: true });
    });
    return { server, recorder, decisions, reads: () => reads };
  }

  const cloud: CloudState = { read_at: 1, services: [], hypervisors: [], instances: [], error: null };

  it("streams a snapshot, then each flow change and decision as server-sent events", async () => {
    const { server, recorder, decisions } = await started(cloud);
    const { boot } = await miniControlPlane(recorder);
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    const res = await fetch(`${server.url}events`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const events: Array<{ event: string; data: unknown }> = [];
    let buffer = "";
    const until = async (pred: () => boolean) => {
      while (!pred()) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
          events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null") });
          end = buffer.indexOf("\n\n");
        }
      }
    };
    await until(() => events.some((e) => e.event === "snapshot"));
    expect((events[0]!.data as ConsoleSnapshot).flows).toEqual([]);
    await boot("req-b");
    await until(() => events.some((e) => e.event === "flow" && (e.data as Flow).steps.length === 3));
    decisions.observer.decision({
      request_id: "req-c",
      outcome: "no_valid_host",
      seconds: 0.002,
      reason: "RamFilter",
      explanation: {
        instance_uuid: null,
        hosts_considered: 1,
        stages: [{ name: "RamFilter", hosts_in: 1, hosts_out: 0 }],
        emptied_by: "RamFilter",
        rejected: [{ host: "h1", nodename: "h1", rejected_by: "RamFilter", reason: "no RAM" }],
        passed: [],
        weighed: [],
      },
    });
    await until(() => events.some((e) => e.event === "decision"));
    const decision = events.find((e) => e.event === "decision")!.data as ConsoleSnapshot["decisions"][number];
    expect(decision).toMatchObject({ reason: "RamFilter", duration_ms: 2, stages: [{ hosts_out: 0 }] });
    await until(() => events.some((e) => e.event === "cloud"));
  });

  it("serves the state as JSON and the page, and refuses other methods and paths outside the page", async () => {
    const { server } = await started(cloud);
    const state = (await (await fetch(`${server.url}api/state`)).json()) as ConsoleSnapshot;
    expect(state).toEqual({ cloud, flows: [], decisions: [] });
    const page = await fetch(`${server.url}servers/view`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>page</title>");
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${server.url}api/state`, { method: "POST" })).status).toBe(405);
  });
});
