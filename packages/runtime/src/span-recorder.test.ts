import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeBroker, RpcClient, RpcServer, Transport } from "@nova/messaging";
import { createMessagingObserver, RequestScope } from "@nova/telemetry";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { suppressTracing } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpanRecorder } from "./span-recorder.js";
import { samplerFrom, startTracing } from "./tracing.js";

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

function recorder(env: Record<string, string> = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new SpanRecorder({
    resource: resourceFromAttributes({ "service.name": "nova-test" }),
    processor: new SimpleSpanProcessor(exporter),
    sampler: samplerFrom(env),
  });
  return { exporter, provider, tracer: provider.getTracer("nova-ts", "0.1.0") };
}

describe("SpanRecorder", () => {
  it("makes one trace of a cast and the call its handler makes, across three transports", async () => {
    const { exporter, provider } = recorder();
    const broker = new FakeBroker();
    const transports: Transport[] = [];
    const transport = (name: string) => {
      const t = new Transport("fake://", {
        fakeBroker: broker,
        observer: createMessagingObserver({
          tracer: provider.getTracer(name),
          requestScope: new RequestScope(),
        }),
      });
      transports.push(t);
      return t;
    };
    const api = transport("nova-api");
    const conductor = transport("nova-conductor");
    const scheduler = transport("nova-scheduler");
    let built: (v: unknown) => void = () => {};
    const done = new Promise((resolve) => {
      built = resolve;
    });
    const schedulerServer = new RpcServer(scheduler, { topic: "scheduler", server: "s1" }, [
      { methods: { select_destinations: async () => [{ host: "cpu-1" }] } },
    ]);
    const conductorServer = new RpcServer(conductor, { topic: "conductor", server: "c1" }, [
      {
        methods: {
          schedule_and_build_instances: async (ctx) => {
            built(await new RpcClient(conductor, { topic: "scheduler" }).call(ctx, "select_destinations"));
          },
        },
      },
    ]);
    await schedulerServer.start();
    await conductorServer.start();
    try {
      await new RpcClient(api, { topic: "conductor" }).cast(
        { request_id: "req-1" },
        "schedule_and_build_instances",
      );
      expect(await done).toEqual([{ host: "cpu-1" }]);
      await conductorServer.stop();
      const spans = exporter.getFinishedSpans();
      const byName = new Map(spans.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual([
        "call scheduler.select_destinations",
        "cast conductor.schedule_and_build_instances",
        "process conductor.schedule_and_build_instances",
        "serve scheduler.select_destinations",
      ]);
      const cast = byName.get("cast conductor.schedule_and_build_instances")!;
      for (const s of spans) expect(s.spanContext().traceId).toBe(cast.spanContext().traceId);
      const parentOf = (name: string) => byName.get(name)!.parentSpanContext?.spanId;
      expect(cast.parentSpanContext).toBeUndefined();
      expect(parentOf("process conductor.schedule_and_build_instances")).toBe(cast.spanContext().spanId);
      expect(parentOf("call scheduler.select_destinations")).toBe(
        byName.get("process conductor.schedule_and_build_instances")!.spanContext().spanId,
      );
      expect(parentOf("serve scheduler.select_destinations")).toBe(
        byName.get("call scheduler.select_destinations")!.spanContext().spanId,
      );
      expect(byName.get("process conductor.schedule_and_build_instances")!.parentSpanContext?.isRemote).toBe(
        true,
      );
      // The target's shared attributes and the request's own, as one set.
      expect(cast.attributes).toEqual({
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "send",
        "messaging.destination.name": "conductor",
        "rpc.system": "oslo.messaging",
        "rpc.method": "schedule_and_build_instances",
        "nova.request_id": "req-1",
      });
      expect(cast.kind).toBe(SpanKind.PRODUCER);
      expect(cast.instrumentationScope.name).toBe("nova-api");
      expect(cast.resource.attributes["service.name"]).toBe("nova-test");
      for (const s of spans) {
        expect(s.ended).toBe(true);
        expect(s.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
        expect(s.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(s.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(hrMs(s.endTime)).toBeGreaterThanOrEqual(hrMs(s.startTime));
        expect(hrMs(s.duration)).toBeCloseTo(hrMs(s.endTime) - hrMs(s.startTime), 3);
      }
      // The server span opens after the client's and closes before it.
      const call = byName.get("call scheduler.select_destinations")!;
      const serve = byName.get("serve scheduler.select_destinations")!;
      expect(hrMs(serve.startTime)).toBeGreaterThanOrEqual(hrMs(call.startTime));
      expect(hrMs(serve.endTime)).toBeLessThanOrEqual(hrMs(call.endTime));
      expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(4);
    } finally {
      await schedulerServer.stop();
      await conductorServer.stop();
      for (const t of transports) await t.close();
    }
  });

  it("records what the API lets a span record, as the SDK's spans keep it", () => {
    const { exporter, tracer } = recorder();
    const shared = Object.freeze({ "rpc.method": "resize_instance" });
    const link = { context: { traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: 1 } };
    const span = tracer.startSpan("work", {
      kind: SpanKind.SERVER,
      attributes: { "nova.host": "cpu-1" },
      links: [link],
    });
    span.setAttributes(shared);
    span.setAttribute("nova.vcpus", 4);
    span.setAttribute("bad.mixed", [1, "2"] as never);
    span.setAttribute("", "no key");
    span.addEvent("claimed", { "nova.memory_mb": 2048 });
    span.addEvent("at", [1_700_000_000, 5]);
    span.recordException(new TypeError("disk full"));
    span.setStatus({ code: SpanStatusCode.ERROR, message: "first" });
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.updateName("renamed");
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(span.isRecording()).toBe(false);
    span.setAttribute("late", true);
    span.addEvent("late");
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();

    const [s] = exporter.getFinishedSpans() as [ReadableSpan];
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(s.name).toBe("renamed");
    expect(s.attributes).toEqual({ "nova.host": "cpu-1", "rpc.method": "resize_instance", "nova.vcpus": 4 });
    expect(Object.isFrozen(shared)).toBe(true);
    expect(shared).toEqual({ "rpc.method": "resize_instance" });
    expect(s.links).toEqual([link]);
    expect(s.events.map((e) => e.name)).toEqual(["claimed", "at", "exception"]);
    expect(s.events[0]!.attributes).toEqual({ "nova.memory_mb": 2048 });
    expect(s.events[1]!.time).toEqual([1_700_000_000, 5]);
    expect(s.events[2]!.attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.message": "disk full",
    });
    expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: "first" });

    // OK is final; a second span shows it.
    const ok = tracer.startSpan("ok");
    ok.setStatus({ code: SpanStatusCode.OK });
    ok.setStatus({ code: SpanStatusCode.ERROR, message: "too late" });
    ok.end();
    expect(exporter.getFinishedSpans()[1]!.status).toEqual({ code: SpanStatusCode.OK });
    // A span with no links or events of its own shares none: recording one never shows in another.
    expect(exporter.getFinishedSpans()[1]!.links).toEqual([]);
    expect(exporter.getFinishedSpans()[1]!.events).toEqual([]);
  });

  it("makes the span active for startActiveSpan and honours root and suppressed contexts", () => {
    const { exporter, tracer } = recorder();
    const outer = tracer.startActiveSpan("outer", (span: Span) => {
      expect(trace.getActiveSpan()).toBe(span);
      tracer.startSpan("child").end();
      tracer.startSpan("root", { root: true }).end();
      const suppressed = tracer.startSpan("quiet", {}, suppressTracing(context.active()));
      expect(suppressed.isRecording()).toBe(false);
      suppressed.end();
      span.end();
      return span;
    });
    expect(trace.getActiveSpan()).toBeUndefined();
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(["child", "outer", "root"]);
    expect(byName.get("child")!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(byName.get("root")!.parentSpanContext).toBeUndefined();
    expect(byName.get("root")!.spanContext().traceId).not.toBe(outer.spanContext().traceId);
  });

  it("samples as OTEL_TRACES_SAMPLER says, and still hands an unsampled trace on", () => {
    const off = recorder({ OTEL_TRACES_SAMPLER: "always_off" });
    const span = off.tracer.startSpan("unsampled");
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    span.end();
    expect(off.exporter.getFinishedSpans()).toHaveLength(0);

    // The default follows the caller: a child of an unsampled remote parent is not recorded either.
    const parentBased = recorder();
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "1".repeat(32),
      spanId: "2".repeat(16),
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    const child = parentBased.tracer.startSpan("child", {}, remote);
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe("1".repeat(32));
    const sampledRemote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "1".repeat(32),
      spanId: "2".repeat(16),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    parentBased.tracer.startSpan("sampled child", {}, sampledRemote).end();
    expect(parentBased.exporter.getFinishedSpans().map((s) => s.name)).toEqual(["sampled child"]);

    const none = recorder({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" });
    for (let i = 0; i < 20; i++) none.tracer.startSpan("never").end();
    expect(none.exporter.getFinishedSpans()).toHaveLength(0);
    const all = recorder({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1" });
    for (let i = 0; i < 20; i++) all.tracer.startSpan("always").end();
    expect(all.exporter.getFinishedSpans()).toHaveLength(20);
  });
});

describe("startTracing", () => {
  it("registers the recorder globally and exports its spans over OTLP/HTTP as JSON", async () => {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    context.disable();
    const tracing = startTracing(
      "nova-conductor",
      {},
      { exporter: new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` }) },
    );
    try {
      expect(tracing).toBeDefined();
      const tracer = trace.getTracer("nova-ts");
      tracer.startActiveSpan("serve conductor.migrate_server", { kind: SpanKind.SERVER }, (parent) => {
        tracer.startSpan("call scheduler.select_destinations", { kind: SpanKind.CLIENT }).end();
        // The global propagator writes the active span as W3C trace context (HTTP requests use it).
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        expect(carrier.traceparent).toBe(
          `00-${parent.spanContext().traceId}-${parent.spanContext().spanId}-01`,
        );
        parent.end();
      });
      await tracing!.shutdown();
      const spans = bodies.flatMap((b) =>
        (b as OtlpBody).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      );
      const resource = (bodies[0] as OtlpBody).resourceSpans[0]!.resource.attributes;
      expect(resource).toContainEqual({ key: "service.name", value: { stringValue: "nova-conductor" } });
      expect(spans.map((s) => s.name).sort()).toEqual([
        "call scheduler.select_destinations",
        "serve conductor.migrate_server",
      ]);
      const serve = spans.find((s) => s.name === "serve conductor.migrate_server")!;
      const call = spans.find((s) => s.name === "call scheduler.select_destinations")!;
      expect(call.parentSpanId).toBe(serve.spanId);
      expect(call.traceId).toBe(serve.traceId);
      expect(BigInt(serve.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(serve.startTimeUnixNano));
      expect(Number(BigInt(serve.startTimeUnixNano) / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      trace.disable();
      propagation.disable();
      context.disable();
      context.setGlobalContextManager(contextManager.enable());
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

interface OtlpBody {
  resourceSpans: Array<{
    resource: { attributes: unknown[] };
    scopeSpans: Array<{
      spans: Array<{
        name: string;
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
      }>;
    }>;
  }>;
}

function hrMs([s, ns]: [number, number]): number {
  return s * 1000 + ns / 1e6;
}
