import { FakeBroker, MessagingTimeout, RpcClient, RpcServer, Transport } from "@nova/messaging";
import { context, propagation, SpanKind, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiObserver, createMessagingObserver, NovaMetrics, RequestScope } from "../src/index.js";

// What an app's SDK registers: the W3C propagator and an AsyncLocalStorage context manager.
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

describe("spans across RPC hops", () => {
  it("makes one trace of API -> conductor (cast) -> scheduler (call) -> reply, each service on its own transport", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const broker = new FakeBroker();
    const transports: Transport[] = [];
    // Each "service" has its own tracer (its own process in production), transport and request scope.
    const service = (name: string) => {
      const requestScope = new RequestScope();
      const transport = new Transport("fake://", {
        fakeBroker: broker,
        observer: createMessagingObserver({ tracer: provider.getTracer(name), requestScope }),
      });
      transports.push(transport);
      return { transport, requestScope, tracer: provider.getTracer(name) };
    };
    const api = service("nova-api");
    const conductor = service("nova-conductor");
    const scheduler = service("nova-scheduler");

    const seenIds: unknown[] = [];
    const schedulerServer = new RpcServer(scheduler.transport, { topic: "scheduler", server: "s1" }, [
      {
        methods: {
          select_destinations: async () => {
            seenIds.push(scheduler.requestScope.current()?.global_request_id);
            return [{ host: "cpu-1" }];
          },
        },
      },
    ]);
    let built: (v: unknown) => void = () => {};
    const done = new Promise((resolve) => {
      built = resolve;
    });
    const conductorServer = new RpcServer(conductor.transport, { topic: "conductor", server: "c1" }, [
      {
        methods: {
          schedule_and_build_instances: async (ctx) => {
            seenIds.push(conductor.requestScope.current()?.global_request_id);
            const hosts = await new RpcClient(conductor.transport, { topic: "scheduler" }).call(
              ctx,
              "select_destinations",
            );
            built(hosts);
          },
        },
      },
    ]);
    await schedulerServer.start();
    await conductorServer.start();
    try {
      const apiObserver = createApiObserver({ tracer: api.tracer, requestScope: api.requestScope });
      const request = apiObserver.request({ method: "POST", requestId: "req-1", headers: {} });
      await request.run(() =>
        new RpcClient(api.transport, { topic: "conductor" }).cast(
          { request_id: "req-1", global_request_id: "req-1" },
          "schedule_and_build_instances",
        ),
      );
      request.end({ route: "/servers", status: 202, microversion: "2.1" });
      expect(await done).toEqual([{ host: "cpu-1" }]);
      await conductorServer.stop();

      const spans = exporter.getFinishedSpans();
      const byName = new Map(spans.map((s) => [s.name, s]));
      expect([...byName.keys()].sort()).toEqual([
        "POST /servers",
        "call scheduler.select_destinations",
        "cast conductor.schedule_and_build_instances",
        "process conductor.schedule_and_build_instances",
        "serve scheduler.select_destinations",
      ]);
      const root = byName.get("POST /servers")!;
      // One trace, each hop the child of the one before it.
      for (const s of spans) expect(s.spanContext().traceId).toBe(root.spanContext().traceId);
      const parentOf = (name: string) => byName.get(name)!.parentSpanContext?.spanId;
      expect(parentOf("cast conductor.schedule_and_build_instances")).toBe(root.spanContext().spanId);
      expect(parentOf("process conductor.schedule_and_build_instances")).toBe(
        byName.get("cast conductor.schedule_and_build_instances")!.spanContext().spanId,
      );
      expect(parentOf("call scheduler.select_destinations")).toBe(
        byName.get("process conductor.schedule_and_build_instances")!.spanContext().spanId,
      );
      expect(parentOf("serve scheduler.select_destinations")).toBe(
        byName.get("call scheduler.select_destinations")!.spanContext().spanId,
      );
      expect(byName.get("call scheduler.select_destinations")!.kind).toBe(SpanKind.CLIENT);
      expect(byName.get("serve scheduler.select_destinations")!.attributes["rpc.method"]).toBe(
        "select_destinations",
      );
      // The request ids rode the RPC context into both services' scopes (their log lines).
      expect(seenIds).toEqual(["req-1", "req-1"]);
      expect(trace.getActiveSpan()).toBeUndefined();
    } finally {
      await schedulerServer.stop();
      await conductorServer.stop();
      for (const t of transports) await t.close();
    }
  });

  it("counts a timed-out call and names topic, server, method, reply queue and consumer count", async () => {
    const metrics = new NovaMetrics("nova-conductor");
    const broker = new FakeBroker();
    const transport = new Transport("fake://", {
      fakeBroker: broker,
      observer: createMessagingObserver({ metrics }),
    });
    try {
      const client = new RpcClient(transport, { topic: "compute", server: "cpu-9" }, { timeout: 0.05 });
      const err = await client.call({}, "build_and_run_instance").catch((e: unknown) => e);
      expect(MessagingTimeout.isInstance(err)).toBe(true);
      const timeout = err as MessagingTimeout;
      expect(timeout.details).toMatchObject({
        topic: "compute",
        server: "cpu-9",
        method: "build_and_run_instance",
        queue: "compute.cpu-9",
        consumers: 0,
      });
      expect(timeout.details.replyQueue).toMatch(/^reply_[0-9a-f]{32}$/);
      expect(timeout.message).toContain("0 consumers on queue compute.cpu-9");
      const text = await metrics.text();
      expect(text).toContain(
        'nova_rpc_client_timeouts_total{topic="compute",method="build_and_run_instance",service="nova-conductor"} 1',
      );
      expect(text).toContain(
        'nova_rpc_client_errors_total{kind="call",topic="compute",method="build_and_run_instance",error="MessagingTimeout",service="nova-conductor"} 1',
      );
    } finally {
      await transport.close();
    }
  });

  it("counts requests and in-flight calls on both sides, once per request however often it is scraped", async () => {
    const began = performance.now();
    const metrics = new NovaMetrics("nova-conductor");
    const transport = new Transport("fake://", { observer: createMessagingObserver({ metrics }) });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = new RpcServer(transport, { topic: "conductor", server: "c1" }, [
      {
        methods: {
          ping: () => "pong",
          hold: () => {
            started();
            return held;
          },
        },
      },
    ]);
    await server.start();
    try {
      const client = new RpcClient(transport, { topic: "conductor" });
      await client.call({}, "ping");
      await client.call({}, "ping");
      const holding = client.call({}, "hold");
      await running;
      const during = await metrics.text();
      expect(during).toContain(
        'nova_rpc_client_in_flight{kind="call",topic="conductor",method="hold",service="nova-conductor"} 1',
      );
      expect(during).toContain(
        'nova_rpc_server_in_flight{topic="conductor",lane="default",service="nova-conductor"} 1',
      );
      release();
      await holding;
      await client.call({}, "ping");
      const after = await metrics.text();
      expect(after).toContain(
        'nova_rpc_client_requests_total{kind="call",topic="conductor",method="ping",service="nova-conductor"} 3',
      );
      expect(after).toContain(
        'nova_rpc_server_requests_total{kind="call",topic="conductor",method="ping",service="nova-conductor"} 3',
      );
      expect(after).toContain(
        'nova_rpc_client_in_flight{kind="call",topic="conductor",method="hold",service="nova-conductor"} 0',
      );
      expect(after).toContain(
        'nova_rpc_server_in_flight{topic="conductor",lane="default",service="nova-conductor"} 0',
      );
      // Durations: one series per label set, whichever server the call went to; the text as prom-client's own.
      await client.cast({}, "ping");
      await new RpcClient(transport, { topic: "conductor", server: "c1" }).call({}, "ping");
      const timed = await metrics.text();
      const ping = 'service="nova-conductor",topic="conductor",method="ping"';
      expect(timed).toContain(`nova_rpc_call_duration_seconds_count{${ping}} 4`);
      expect(timed).toContain(`nova_rpc_call_duration_seconds_bucket{le="+Inf",${ping}} 4`);
      expect(timed).toContain(`nova_rpc_call_duration_seconds_bucket{le="180",${ping}} 4`);
      expect(timed).toContain(`nova_rpc_server_duration_seconds_count{${ping}} 5`);
      expect(timed).toContain(
        'nova_rpc_cast_duration_seconds_count{service="nova-conductor",kind="cast",topic="conductor",method="ping"} 1',
      );
      expect(timed.match(/nova_rpc_call_duration_seconds_count\{[^}]*method="ping"/g)).toHaveLength(1);
      const sum = Number(
        /nova_rpc_call_duration_seconds_sum\{[^}]*method="ping"[^}]*\} (\S+)/.exec(timed)?.[1],
      );
      // The pings ran one after another inside this test: their times add up to no more than its own.
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThanOrEqual((performance.now() - began) / 1000);
      const json = await metrics.registry.getMetricsAsJSON();
      const call = json.find((m) => m.name === "nova_rpc_call_duration_seconds")!;
      expect(call.type).toBe("histogram");
      expect(call.values).toContainEqual(
        expect.objectContaining({
          metricName: "nova_rpc_call_duration_seconds_count",
          labels: expect.objectContaining({ topic: "conductor", method: "ping" }),
          value: 4,
        }),
      );
      metrics.registry.resetMetrics();
      expect(await metrics.text()).not.toContain("nova_rpc_call_duration_seconds_count{");
    } finally {
      await server.stop();
      await transport.close();
    }
  });
});
