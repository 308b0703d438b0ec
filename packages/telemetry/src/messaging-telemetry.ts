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
  type Context,
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { errorLabel, type NovaMetrics } from "./nova-metrics.js";
import { type RequestScope, requestIdsOf } from "./request-scope.js";

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
  return observer;

  function send(e: RpcSendEvent): RpcSendScope {
    const topic = e.target.topic ?? "";
    const labels = { kind: e.kind, topic, method: e.method };
    const started = now();
    if (metrics) {
      metrics.rpcClientRequests.inc(labels);
      metrics.rpcClientInFlight.inc(labels);
    }
    let span: Span | undefined;
    let headers: Record<string, string> | undefined;
    if (tracer) {
      span = tracer.startSpan(`${e.kind} ${topic}.${e.method}`, {
        kind: e.kind === "call" ? SpanKind.CLIENT : SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "send",
          "messaging.destination.name": e.target.server ? `${topic}.${e.target.server}` : topic,
          "rpc.system": "oslo.messaging",
          "rpc.method": e.method,
          ...(typeof e.context.request_id === "string" ? { "nova.request_id": e.context.request_id } : {}),
        },
      });
      headers = {};
      propagation.inject(traceContextWith(span), headers);
    }
    return {
      ...(headers ? { headers } : {}),
      end(error?: unknown) {
        if (metrics) {
          metrics.rpcClientInFlight.dec(labels);
          const seconds = (now() - started) / 1000;
          if (e.kind === "call") metrics.rpcCallDuration.observe({ topic, method: e.method }, seconds);
          else metrics.rpcCastDuration.observe(labels, seconds);
          if (error !== undefined) {
            metrics.rpcClientErrors.inc({ ...labels, error: errorLabel(error) });
            if (MessagingTimeout.isInstance(error))
              metrics.rpcClientTimeouts.inc({ topic, method: e.method });
          }
        }
        if (span) endSpan(span, error);
      },
    };
  }

  function dispatch(e: RpcDispatchEvent): RpcDispatchScope {
    const topic = e.target.topic ?? "";
    const started = now();
    if (metrics) {
      metrics.rpcServerRequests.inc({ kind: e.kind, topic, method: e.method });
      metrics.rpcServerInFlight.inc({ topic, lane: e.lane });
    }
    let span: Span | undefined;
    let parent = ROOT_CONTEXT;
    if (tracer) {
      parent = propagation.extract(ROOT_CONTEXT, e.headers, headerGetter);
      span = tracer.startSpan(
        `${e.kind === "call" ? "serve" : "process"} ${topic}.${e.method}`,
        {
          kind: e.kind === "call" ? SpanKind.SERVER : SpanKind.CONSUMER,
          attributes: {
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "process",
            "messaging.destination.name": topic,
            "rpc.system": "oslo.messaging",
            "rpc.method": e.method,
            ...(typeof e.context.request_id === "string" ? { "nova.request_id": e.context.request_id } : {}),
          },
        },
        parent,
      );
    }
    const ids = requestScope ? requestIdsOf(e.context) : undefined;
    return {
      run<T>(fn: () => Promise<T>): Promise<T> {
        const inScope = requestScope && ids ? () => requestScope.run(ids, fn) : fn;
        return span ? otelContext.with(traceContextWith(span, parent), inScope) : inScope();
      },
      end(error?: unknown) {
        if (metrics) {
          metrics.rpcServerInFlight.dec({ topic, lane: e.lane });
          metrics.rpcServerDuration.observe({ topic, method: e.method }, (now() - started) / 1000);
          if (error !== undefined)
            metrics.rpcServerErrors.inc({ topic, method: e.method, error: errorLabel(error) });
        }
        if (span) endSpan(span, error);
      },
    };
  }
}

function traceContextWith(span: Span, parent: Context = otelContext.active()): Context {
  return trace.setSpan(parent, span);
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

// AMQP header values arrive as strings (or Buffers from some peers): read both.
const headerGetter = {
  get(carrier: Readonly<Record<string, unknown>>, key: string): string | undefined {
    const v = carrier[key];
    if (typeof v === "string") return v;
    if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
    return undefined;
  },
  keys(carrier: Readonly<Record<string, unknown>>): string[] {
    return Object.keys(carrier);
  },
};
