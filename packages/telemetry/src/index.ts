// @nova/telemetry: what a nova-ts service reports about itself. Metrics and spans hang on @nova/messaging's
// observer hooks and @nova/api's request hook; only @opentelemetry/api is used here (apps install the SDK).

/** API requests: counts, latency, the root span and the request id of every log line. */
export {
  type ApiRequestEnd,
  type ApiRequestScope,
  type ApiRequestStart,
  type ApiTelemetry,
  createApiObserver,
} from "./api-telemetry.js";
/** Databases, instance actions, reschedules, faults and liveness: observers the services take as dependencies. */
export {
  createDatabaseObserver,
  createInstanceActivityObserver,
  createLivenessObserver,
  type DatabaseTelemetry,
  type InstanceActivityTelemetry,
  type LivenessTelemetry,
} from "./instance-telemetry.js";
/** RPC: a transport observer for metrics, spans across hops and request ids in logs. */
export { createMessagingObserver, type MessagingTelemetryOptions } from "./messaging-telemetry.js";
/** `[metrics] listen`, parsed. */
export {
  type ListenAddress,
  type MetricsOptions,
  metricsOptionsSchema,
  parseMetricsOptions,
} from "./metrics-config.js";
/** The `/metrics` listener. */
export { listenMetrics, type MetricsListener } from "./metrics-listener.js";
/** The metric definitions of a process, on its own registry. */
export {
  errorLabel,
  type HeartbeatSample,
  type HistogramSeries,
  NovaMetrics,
  type RpcSeries,
  type SeriesHistogram,
} from "./nova-metrics.js";
/** The request a piece of work belongs to, for log lines. */
export { type RequestIds, RequestScope, requestIdsOf } from "./request-scope.js";
/** Scheduler decisions: time, refusals by reason, hosts in and out per filter. */
export { createSchedulingObserver } from "./scheduling-telemetry.js";
export { isValidSpanContext } from "./trace-context.js";
