import type {
  DroppedMessageReason,
  MessagingObserver,
  RpcDispatchEvent,
  RpcDispatchScope,
  RpcSendEvent,
  RpcSendScope,
} from "@nova/messaging";
import { MessagingTimeout } from "@nova/messaging";
import {
  type Attributes,
  type Context,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { errorLabel, type HistogramSeries, type NovaMetrics, type RpcSeries } from "./nova-metrics.js";
import { type RequestIds, type RequestScope, requestIdsOf } from "./request-scope.js";
import {
  formatTraceparent,
  isValidSpanContext,
  parseTraceparent,
  TRACEPARENT,
  TRACESTATE,
} from "./trace-context.js";

/** What a messaging observer reports to; each part is optional and costs nothing when absent. */
export interface MessagingTelemetryOptions {
  /** Counts and times every call, cast, fanout, dispatch and drop. */
  metrics?: NovaMetrics;
  /** Opens a span per send and per dispatch; trace context rides in the AMQP headers (`traceparent`). */
  tracer?: Tracer;
  /** Runs every dispatched request under its request ids, so log lines name them. */
  requestScope?: RequestScope;
  /** Monotonic milliseconds for durations; default performance.now. */
  now?: () => number;
}

/** An observer for a transport (`TransportInit.observer`): metrics, spans and request ids, as configured. */
export function createMessagingObserver(options: MessagingTelemetryOptions): MessagingObserver {
  const { metrics, tracer, requestScope } = options;
  const now = options.now ?? (() => performance.now());
  const observer: MessagingObserver = {};
  if (metrics || tracer) {
    observer.rpcSend = (e) => send(e);
    observer.rpcDispatch = (e) => dispatch(e);
  } else if (requestScope) {
    observer.rpcDispatch = (e) => dispatch(e);
  }
  if (metrics) {
    let connectedBefore = false;
    observer.messageDropped = (reason: DroppedMessageReason) => metrics.rpcMessagesDropped.inc({ reason });
    observer.connectionState = (state) => {
      metrics.brokerConnectionEvents.inc({
        state: state === "connected" && connectedBefore ? "reconnected" : state,
      });
      if (state === "connected") connectedBefore = true;
      metrics.brokerConnected.set(state === "connected" ? 1 : 0);
    };
    observer.bufferedMessages = (count) => metrics.rpcBufferedMessages.set(count);
  }
  const sendTargets = new Map<string, SendTarget>();
  const dispatchTargets = new Map<string, DispatchTarget>();
  return observer;

  // What every request of one (kind, topic, server, method) shares: label values, series, span name and kind,
  // built on its first request instead of on each.
  function sendTarget(e: RpcSendEvent): SendTarget {
    const topic = e.target.topic ?? "";
    const server = e.target.server;
    const key = `${e.kind}\0${topic}\0${server ?? ""}\0${e.method}`;
    let t = sendTargets.get(key);
    if (!t) {
      t = {
        topic,
        labels: { kind: e.kind, topic, method: e.method },
        callLabels: { topic, method: e.method },
        series: metrics?.rpcClientSeries(e.kind, topic, e.method),
        duration:
          e.kind === "call"
            ? metrics?.rpcCallDuration.seriesFor(`${topic}\0${e.method}`, () => ({ topic, method: e.method }))
            : metrics?.rpcCastDuration.seriesFor(`${e.kind}\0${topic}\0${e.method}`, () => ({
                kind: e.kind,
                topic,
                method: e.method,
              })),
        spanName: `${e.kind} ${topic}.${e.method}`,
        spanKind: e.kind === "call" ? SpanKind.CLIENT : SpanKind.PRODUCER,
        // Frozen: a tracer may keep it by reference instead of copying it into every span.
        attributes: Object.freeze({
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "send",
          "messaging.destination.name": server ? `${topic}.${server}` : topic,
          "rpc.system": "oslo.messaging",
          "rpc.method": e.method,
        }),
      };
      sendTargets.set(key, t);
    }
    return t;
  }

  function send(e: RpcSendEvent): RpcSendScope {
    const t = sendTarget(e);
    const started = metrics ? now() : 0;
    const series = t.series;
    if (series) {
      series.requests += 1;
      series.inFlight += 1;
    }
    let span: Span | undefined;
    let headers: Record<string, string> | undefined;
    if (tracer) {
      // The active context (the handler's span, when a service calls on while serving) is the parent.
      span = tracer.startSpan(t.spanName, { kind: t.spanKind });
      if (span.isRecording()) {
        span.setAttributes(t.attributes);
        if (typeof e.context.request_id === "string")
          span.setAttribute("nova.request_id", e.context.request_id);
      }
      const sc = span.spanContext();
      // The trace context is written from the span's own, not through the propagation API (trace-context.ts).
      if (isValidSpanContext(sc)) {
        headers = { [TRACEPARENT]: formatTraceparent(sc) };
        const state = sc.traceState?.serialize();
        if (state) headers[TRACESTATE] = state;
      }
    }
    return new SendScope(t, metrics, now, started, span, headers);
  }

  function dispatchTarget(e: RpcDispatchEvent): DispatchTarget {
    const topic = e.target.topic ?? "";
    const key = `${e.kind}\0${topic}\0${e.lane}\0${e.method}`;
    let t = dispatchTargets.get(key);
    if (!t) {
      t = {
        topic,
        methodLabels: { topic, method: e.method },
        series: metrics?.rpcServerSeries(e.kind, topic, e.method),
        lane: metrics?.rpcLaneSeries(topic, e.lane),
        duration: metrics?.rpcServerDuration.seriesFor(`${topic}\0${e.method}`, () => ({
          topic,
          method: e.method,
        })),
        spanName: `${e.kind === "call" ? "serve" : "process"} ${topic}.${e.method}`,
        spanKind: e.kind === "call" ? SpanKind.SERVER : SpanKind.CONSUMER,
        // Frozen: a tracer may keep it by reference instead of copying it into every span.
        attributes: Object.freeze({
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": topic,
          "rpc.system": "oslo.messaging",
          "rpc.method": e.method,
        }),
      };
      dispatchTargets.set(key, t);
    }
    return t;
  }

  function dispatch(e: RpcDispatchEvent): RpcDispatchScope {
    const t = dispatchTarget(e);
    const started = metrics ? now() : 0;
    if (t.series && t.lane) {
      t.series.requests += 1;
      t.lane.inFlight += 1;
    }
    let span: Span | undefined;
    let spanContext: Context | undefined;
    if (tracer) {
      const remote = remoteSpanContext(e.headers);
      // A request without trace context starts a trace of its own, never one of whatever else is active.
      const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
      span = tracer.startSpan(t.spanName, { kind: t.spanKind }, parent);
      if (span.isRecording()) {
        span.setAttributes(t.attributes);
        if (typeof e.context.request_id === "string")
          span.setAttribute("nova.request_id", e.context.request_id);
      }
      // The handler's context holds its span only: the remote parent is in the span already.
      spanContext = trace.setSpan(ROOT_CONTEXT, span);
    }
    const ids = requestScope ? requestIdsOf(e.context) : undefined;
    return new DispatchScope(t, metrics, now, started, span, spanContext, requestScope, ids);
  }
}

/** One outgoing request's scope (a class rather than closures: one object per request). */
class SendScope implements RpcSendScope {
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    private readonly t: SendTarget,
    private readonly metrics: NovaMetrics | undefined,
    private readonly now: () => number,
    private readonly started: number,
    private readonly span: Span | undefined,
    headers: Record<string, string> | undefined,
  ) {
    if (headers) this.headers = headers;
  }

  end(error?: unknown): void {
    const { metrics, t } = this;
    if (metrics && t.series) {
      t.series.inFlight -= 1;
      t.duration?.observe((this.now() - this.started) / 1000);
      if (error !== undefined) {
        metrics.rpcClientErrors.inc({ ...t.labels, error: errorLabel(error) });
        if (MessagingTimeout.isInstance(error)) metrics.rpcClientTimeouts.inc(t.callLabels);
      }
    }
    if (this.span) endSpan(this.span, error);
  }
}

/** One incoming request's scope: its span's context and request ids around the method, then metrics. */
class DispatchScope implements RpcDispatchScope {
  constructor(
    private readonly t: DispatchTarget,
    private readonly metrics: NovaMetrics | undefined,
    private readonly now: () => number,
    private readonly started: number,
    private readonly span: Span | undefined,
    private readonly spanContext: Context | undefined,
    private readonly requestScope: RequestScope | undefined,
    private readonly ids: RequestIds | undefined,
  ) {}

  run<T>(fn: () => T): T {
    const { requestScope, ids, spanContext } = this;
    // No named closures here: under tsx (esbuild keepNames) each one made per request costs a defineProperty.
    if (!spanContext) return requestScope && ids ? requestScope.run(ids, fn) : fn();
    return otelContext.with(spanContext, requestScope && ids ? () => requestScope.run(ids, fn) : fn);
  }

  end(error?: unknown): void {
    const { metrics, t } = this;
    if (metrics && t.lane) {
      t.lane.inFlight -= 1;
      t.duration?.observe((this.now() - this.started) / 1000);
      if (error !== undefined) metrics.rpcServerErrors.inc({ ...t.methodLabels, error: errorLabel(error) });
    }
    if (this.span) endSpan(this.span, error);
  }
}

interface SendTarget {
  topic: string;
  labels: { kind: string; topic: string; method: string };
  callLabels: { topic: string; method: string };
  series: RpcSeries<"kind" | "topic" | "method"> | undefined;
  /** `nova_rpc_call_duration_seconds` for calls, `nova_rpc_cast_duration_seconds` for casts and fanouts. */
  duration: HistogramSeries | undefined;
  spanName: string;
  spanKind: SpanKind;
  /** The span attributes every request of the target shares, built once. */
  attributes: Attributes;
}

interface DispatchTarget {
  topic: string;
  methodLabels: { topic: string; method: string };
  series: RpcSeries<"kind" | "topic" | "method"> | undefined;
  lane: RpcSeries<"topic" | "lane"> | undefined;
  /** `nova_rpc_server_duration_seconds`. */
  duration: HistogramSeries | undefined;
  spanName: string;
  spanKind: SpanKind;
  /** The span attributes every request of the target shares, built once. */
  attributes: Attributes;
}

/** Ends a span, marking it failed (with the error's class and message) when there was an error. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    span.setAttribute("error.type", errorLabel(error));
  }
  span.end();
}

/** The caller's span context from a request's AMQP headers, when it sent a valid one. */
function remoteSpanContext(headers: Readonly<Record<string, unknown>>): SpanContext | undefined {
  const traceparent = headerString(headers[TRACEPARENT]);
  if (traceparent === undefined) return undefined;
  return parseTraceparent(traceparent, headerString(headers[TRACESTATE]));
}

// AMQP header values arrive as strings (or Buffers from some peers): read both.
function headerString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  return undefined;
}
