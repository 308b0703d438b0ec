import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { endSpan } from "./messaging-telemetry.js";
import type { NovaMetrics } from "./nova-metrics.js";
import type { RequestScope } from "./request-scope.js";

/** One API request as the server announces it (the shape of @nova/api's `ApiObserver` hook). */
export interface ApiRequestStart {
  /** HTTP method. */
  method: string;
  /** The `req-<uuid>` the API gave it. */
  requestId: string;
  /** Request headers (an inbound `traceparent` continues the caller's trace). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** How an API request ended. */
export interface ApiRequestEnd {
  /** The route pattern (`/servers/:id`, with the action name for actions), `unmatched` when none. */
  route: string;
  /** HTTP status sent. */
  status: number;
  /** The microversion in effect, if negotiated. */
  microversion: string | undefined;
}

/** The observer's handle on one API request. */
export interface ApiRequestScope {
  /** Runs the request's work inside its span and request id. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The request was answered. */
  end(outcome: ApiRequestEnd): void;
}

/** What the API server calls per request (structurally @nova/api's `ApiObserver`). */
export interface ApiTelemetry {
  /** A request arrived. */
  request(start: ApiRequestStart): ApiRequestScope;
}

/** Counts and times API requests, opens the root span of each, and puts its request id in every log line. */
export function createApiObserver(options: {
  metrics?: NovaMetrics;
  tracer?: Tracer;
  requestScope?: RequestScope;
  now?: () => number;
}): ApiTelemetry {
  const { metrics, tracer, requestScope } = options;
  const now = options.now ?? (() => performance.now());
  return {
    request(start) {
      const started = now();
      const span = tracer?.startSpan(
        `${start.method} nova-api`,
        {
          kind: SpanKind.SERVER,
          attributes: { "http.request.method": start.method, "nova.request_id": start.requestId },
        },
        propagation.extract(ROOT_CONTEXT, start.headers),
      );
      // The API's request id is the global one of every hop it starts.
      const ids = { request_id: start.requestId, global_request_id: start.requestId };
      return {
        run<T>(fn: () => Promise<T>): Promise<T> {
          const inScope = requestScope ? () => requestScope.run(ids, fn) : fn;
          return span ? otelContext.with(trace.setSpan(otelContext.active(), span), inScope) : inScope();
        },
        end({ route, status, microversion }) {
          if (metrics) {
            metrics.apiRequests.inc({
              method: start.method,
              route,
              status: String(status),
              microversion: microversion ?? "none",
            });
            metrics.apiRequestDuration.observe({ method: start.method, route }, (now() - started) / 1000);
          }
          if (span) {
            span.updateName(`${start.method} ${route}`);
            span.setAttribute("http.route", route);
            span.setAttribute("http.response.status_code", status);
            endSpan(span, status >= 500 ? new Error(`HTTP ${status}`) : undefined);
          }
        },
      };
    },
  };
}
