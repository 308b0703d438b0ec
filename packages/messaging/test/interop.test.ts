import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createMessagingObserver } from "@nova/telemetry";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NoSuchMethod,
  type Notification,
  NotificationListener,
  Notifier,
  RemoteError,
  type RequestContext,
  RpcClient,
  RpcServer,
  Transport,
  UnsupportedVersion,
} from "../src/index.js";

const PEER = fileURLToPath(new URL("./interop/peer.py", import.meta.url));
const PYTHON = "/usr/bin/python3";
const ctx = {
  user: "demo-user",
  project_id: "demo-project",
  request_id: "req-1",
  is_admin: false,
  roles: ["member"],
};

interface PeerResult {
  op: string;
  method: string;
  ok: boolean;
  result?: unknown;
  error?: { exc_type: string; class: string; message: string; value: string | null };
}

function runPythonClient(url: string, topic: string, ops: object[]): Promise<PeerResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER, "client", "--url", url, "--topic", topic], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`python client exited ${code}: ${err}`));
      else
        resolve(
          out
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as PeerResult),
        );
    });
    child.stdin.end(JSON.stringify(ops));
  });
}

function runPython(args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err}`)),
    );
    child.stdin.end(stdin);
  });
}

function startPythonServer(url: string, topic: string, server: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER, "serve", "--url", url, "--topic", topic, "--server", server], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`python server exited ${code}: ${err}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "READY") resolve(child);
    });
  });
}

class ValueError extends Error {
  override name = "ValueError";
  readonly module = "builtins";
}

describe("interop with Python oslo.messaging 14 (real broker)", { timeout: 90_000 }, () => {
  let vhost: TestVhost;
  beforeAll(async () => {
    vhost = await createTestVhost("msg-interop");
  });
  afterAll(async () => {
    await vhost.dispose();
  });

  it("a Python client calls, casts and fans out to TS servers, incl. errors, namespace, versions, call monitor", async () => {
    const transport = new Transport(vhost.transportUrl);
    const seen: Array<{ server: string; method: string; value: unknown; ctx: RequestContext }> = [];
    const servers = ["ts1", "ts2"].map(
      (name) =>
        new RpcServer(transport, { topic: "ts_topic", server: name }, [
          {
            version: "1.5",
            methods: {
              echo: (c, { value }: { value: unknown }) => {
                seen.push({ server: name, method: "echo", value, ctx: c });
                return value;
              },
              add: (_c, { a, b }: { a: number; b: number }) => a + b,
              fail: (_c, { message }: { message: string }) => {
                throw new ValueError(message);
              },
              fail_ts: (_c, { message }: { message: string }) => {
                throw new Error(message);
              },
              sleep: async (_c, { seconds }: { seconds: number }) => {
                await new Promise((r) => setTimeout(r, seconds * 1000));
                return seconds;
              },
            },
          },
          {
            namespace: "testns",
            version: "2.0",
            methods: { ns_echo: (_c, { value }) => ({ ns: "testns", value }) },
          },
        ]),
    );
    for (const s of servers) await s.start();
    try {
      const results = await runPythonClient(vhost.transportUrl, "ts_topic", [
        {
          op: "call",
          method: "echo",
          kwargs: { value: { x: [1, 2, "three"], y: null, u: "é" } },
          context: ctx,
        },
        { op: "call", method: "add", kwargs: { a: 2, b: 40 }, version: "1.3", timeout: 10 },
        { op: "call", method: "echo", kwargs: { value: 1 }, version: "2.0" },
        { op: "call", method: "no_such_method", kwargs: {} },
        { op: "call", method: "fail", kwargs: { message: "bad value" } },
        { op: "call", method: "fail_ts", kwargs: { message: "ts failure" } },
        { op: "call", method: "ns_echo", kwargs: { value: 7 }, namespace: "testns", version: "2.0" },
        { op: "call", method: "sleep", kwargs: { seconds: 2.5 }, call_monitor_timeout: 2 },
        { op: "call", method: "echo", kwargs: { value: "to-ts2" }, server: "ts2", context: ctx },
        { op: "cast", method: "echo", kwargs: { value: "py-cast" }, context: ctx },
        { op: "fanout", method: "echo", kwargs: { value: "py-fanout" }, context: ctx },
      ]);
      const [echo, add, badVersion, noMethod, fail, failTs, ns, sleep, toTs2, cast, fanout] = results;
      expect(echo).toMatchObject({ ok: true, result: { x: [1, 2, "three"], y: null, u: "é" } });
      expect(add).toMatchObject({ ok: true, result: 42 });
      expect(badVersion?.error).toMatchObject({
        exc_type: "UnsupportedVersion",
        message:
          "Remote error: UnsupportedVersion Endpoint does not support RPC version 2.0. Attempted method: echo",
      });
      expect(noMethod?.error).toMatchObject({ exc_type: "NoSuchMethod" });
      // module builtins: Python rebuilds a real ValueError.
      expect(fail?.error).toMatchObject({
        class: "ValueError",
        exc_type: "ValueError",
        message: "bad value",
      });
      expect(failTs?.error).toMatchObject({ class: "RemoteError", exc_type: "Error", value: "ts failure" });
      expect(ns).toMatchObject({ ok: true, result: { ns: "testns", value: 7 } });
      expect(sleep).toMatchObject({ ok: true, result: 2.5 });
      expect(toTs2).toMatchObject({ ok: true, result: "to-ts2" });
      expect(cast?.ok && fanout?.ok).toBe(true);
      await expect
        .poll(() =>
          seen
            .filter((s) => s.value === "py-fanout")
            .map((s) => s.server)
            .sort(),
        )
        .toEqual(["ts1", "ts2"]);
      await expect.poll(() => seen.filter((s) => s.value === "py-cast").length).toBe(1);
      expect(seen.find((s) => s.value === "to-ts2")).toMatchObject({
        server: "ts2",
        ctx: { ...ctx, client_timeout: null },
      });
    } finally {
      for (const s of servers) await s.stop();
      await transport.close();
    }
  });

  it("notifications flow both ways: Python Notifier to TS listener, TS Notifier to Python listener", async () => {
    const transport = new Transport(vhost.transportUrl);
    const received: Notification[] = [];
    const listener = new NotificationListener(
      transport,
      (n) => {
        received.push(n);
      },
      { priorities: ["info", "error"] },
    );
    await listener.start();
    try {
      await runPython(
        ["notify", "--url", vhost.transportUrl, "--topic", "notifications"],
        JSON.stringify([
          {
            priority: "info",
            event_type: "py.event",
            payload: { a: 1 },
            context: { request_id: "req-py", auth_token: "x" },
          },
          { priority: "error", event_type: "py.failed", payload: { b: [2] } },
        ]),
      );
      await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
      const info = received.find((n) => n.priority === "info")!;
      expect(info).toMatchObject({ publisherId: "py.peer", eventType: "py.event", payload: { a: 1 } });
      expect(info.ctx).toEqual({ request_id: "req-py" });
      expect(info.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
      expect(received.find((n) => n.priority === "error")).toMatchObject({
        eventType: "py.failed",
        payload: { b: [2] },
      });

      const python = spawn(
        PYTHON,
        [PEER, "listen", "--url", vhost.transportUrl, "--topic", "ts_notifications"],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const lines: string[] = [];
      const ready = new Promise<void>((resolve) =>
        createInterface({ input: python.stdout }).on("line", (l) =>
          l === "READY" ? resolve() : lines.push(l),
        ),
      );
      const exited = new Promise((r) => python.once("exit", r));
      await ready;
      await new Notifier(transport, { publisherId: "ts.peer", topics: ["ts_notifications"] }).info(
        { request_id: "req-ts", user_id: "u" },
        "ts.event",
        { c: "é" },
      );
      await exited;
      const got = JSON.parse(lines[0]!);
      expect(got).toMatchObject({ publisher_id: "ts.peer", event_type: "ts.event", payload: { c: "é" } });
      expect(got.ctxt).toMatchObject({ request_id: "req-ts", user_id: "u" });
      expect(got.metadata.message_id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await listener.stop();
      await transport.close();
    }
  });

  it("a TS client calls, casts and fans out to a Python server, incl. errors, namespace, versions, call monitor", async () => {
    const peer = await startPythonServer(vhost.transportUrl, "py_topic", "py1");
    const transport = new Transport(vhost.transportUrl);
    try {
      const rpc = new RpcClient(transport, { topic: "py_topic", version: "1.5" }, { timeout: 20 });
      expect(await rpc.call(ctx, "echo", { value: { a: [1, "é", null] } })).toEqual({ a: [1, "é", null] });
      expect(await rpc.prepare({ version: "1.3" }).call(ctx, "add", { a: 2, b: 40 })).toBe(42);
      const fail = await rpc.call(ctx, "fail", { message: "py says no" }).catch((e: unknown) => e);
      expect(fail).toBeInstanceOf(RemoteError);
      expect(fail).toMatchObject({ excType: "ValueError", value: "py says no" });
      expect((fail as RemoteError).failure.module).toBe("builtins");
      expect((fail as RemoteError).traceback).toContain("ValueError: py says no");
      const custom = (await rpc
        .call(ctx, "fail_custom", { message: "custom" })
        .catch((e: unknown) => e)) as RemoteError;
      expect(custom.failure).toMatchObject({
        className: "PeerError",
        module: "__main__",
        kwargs: { code: 42, detail: "extra" },
      });
      await expect(rpc.prepare({ version: "2.0" }).call(ctx, "echo", { value: 1 })).rejects.toBeInstanceOf(
        UnsupportedVersion,
      );
      await expect(rpc.call(ctx, "no_such_method")).rejects.toBeInstanceOf(NoSuchMethod);
      expect(
        await rpc.prepare({ namespace: "testns", version: "2.0" }).call(ctx, "ns_echo", { value: 7 }),
      ).toEqual({
        ns: "testns",
        value: 7,
      });
      expect(await rpc.prepare({ callMonitorTimeout: 2 }).call(ctx, "sleep", { seconds: 2.5 })).toBe(2.5);
      const seenCtx = (await rpc.prepare({ callMonitorTimeout: 4 }).call(ctx, "context")) as Record<
        string,
        unknown
      >;
      expect(seenCtx).toMatchObject({ ...ctx, client_timeout: 4 });
      await rpc.cast(ctx, "record", { value: "ts-cast" });
      await rpc.prepare({ fanout: true }).cast(ctx, "record", { value: "ts-fanout" });
      await rpc.prepare({ server: "py1" }).cast(ctx, "record", { value: "ts-direct" });
      await expect
        .poll(async () => ((await rpc.call(ctx, "recorded")) as string[]).slice().sort())
        .toEqual(["ts-cast", "ts-direct", "ts-fanout"]);
    } finally {
      peer.removeAllListeners("exit");
      peer.stdin?.end();
      await new Promise((r) => peer.once("exit", r));
      await transport.close();
    }
  });

  it("trace context rides in AMQP headers: Python peers answer traced TS calls and never see it, and vice versa", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const observer = createMessagingObserver({ tracer: provider.getTracer("interop") });
    const peer = await startPythonServer(vhost.transportUrl, "py_traced", "py1");
    const transport = new Transport(vhost.transportUrl, { observer });
    const seen: RequestContext[] = [];
    const server = new RpcServer(transport, { topic: "ts_traced", server: "ts1" }, [
      {
        methods: {
          echo: async (c, args: { value: unknown }) => {
            seen.push(c);
            return args.value;
          },
        },
      },
    ]);
    await server.start();
    try {
      // TS -> Python: every request carries a traceparent header; the Python server answers as ever.
      const rpc = new RpcClient(transport, { topic: "py_traced" }, { timeout: 20 });
      expect(await rpc.call(ctx, "echo", { value: "traced" })).toBe("traced");
      const pySeen = (await rpc.call(ctx, "context")) as Record<string, unknown>;
      expect(pySeen).toMatchObject(ctx);
      // Nothing of the trace leaked into the message body or the context Python peers read.
      expect(Object.keys(pySeen).filter((k) => /trace/i.test(k))).toEqual([]);
      await rpc.cast(ctx, "record", { value: "traced-cast" });
      await expect.poll(async () => rpc.call(ctx, "recorded")).toEqual(["traced-cast"]);
      const sent = exporter.getFinishedSpans().filter((s) => s.name.startsWith("call py_traced."));
      expect(sent.map((s) => s.name)).toContain("call py_traced.echo");
      // Python -> TS: no trace headers come; the traced server serves it in a trace of its own.
      const results = await runPythonClient(vhost.transportUrl, "ts_traced", [
        { op: "call", method: "echo", kwargs: { value: "from-python" }, context: ctx },
      ]);
      expect(results).toEqual([{ op: "call", method: "echo", result: "from-python", ok: true }]);
      expect(seen).toHaveLength(1);
      const served = exporter.getFinishedSpans().find((s) => s.name === "serve ts_traced.echo");
      expect(served?.parentSpanContext).toBeUndefined();
    } finally {
      peer.removeAllListeners("exit");
      peer.stdin?.end();
      await new Promise((r) => peer.once("exit", r));
      await server.stop();
      await transport.close();
      context.disable();
      propagation.disable();
    }
  });
});
