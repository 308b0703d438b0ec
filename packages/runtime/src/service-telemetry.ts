import { type NovaConfig, parseGroup } from "@nova/config";
import type { Logger } from "@nova/core";
import type { MessagingObserver } from "@nova/messaging";
import type { SchedulingObserver } from "@nova/scheduler";
import {
  type ApiTelemetry,
  createApiObserver,
  createDatabaseObserver,
  createInstanceActivityObserver,
  createLivenessObserver,
  createMessagingObserver,
  createSchedulingObserver,
  type DatabaseTelemetry,
  type InstanceActivityTelemetry,
  type ListenAddress,
  type LivenessTelemetry,
  listenMetrics,
  type MetricsListener,
  NovaMetrics,
  parseMetricsOptions,
  RequestScope,
} from "@nova/telemetry";
import { trace } from "@opentelemetry/api";

/**
 * What one process reports about itself: metrics (only with `[metrics] listen`), spans (only when the app
 * installed an OpenTelemetry SDK), and the request scope that puts request ids in every log line (always).
 */
export interface ServiceTelemetry {
  /** The current request of the running code, for the logger's mixin. */
  readonly requestScope: RequestScope;
  /** The process's metrics, when `[metrics] listen` is set. */
  readonly metrics: NovaMetrics | undefined;
  /** For the transport (`TransportInit.observer`). */
  readonly messagingObserver: MessagingObserver;
  /** For the API server (`buildApi`'s `observer`). */
  readonly apiObserver: ApiTelemetry;
  /** For the scheduler's decisions, when metrics are on. */
  readonly schedulingObserver: SchedulingObserver | undefined;
  /** For the conductor and computes: reschedules and faults, when metrics are on. */
  readonly activityObserver: InstanceActivityTelemetry | undefined;
  /** For the conductor: services recorded down or up again, when metrics are on. */
  readonly livenessObserver: LivenessTelemetry | undefined;
  /**
   * For one database (`api`, `cell`, `cell0`): query times, pool use, action stages; when metrics are on.
   * `cell` names the cell of one of nova-api's per-cell pools (the `cell` label).
   */
  databaseObserver(database: string, cell?: string): DatabaseTelemetry | undefined;
  /** Starts the `/metrics` listener, when configured; resolves with its URL, or undefined. */
  start(logger: Logger): Promise<string | undefined>;
  /** The `/metrics` URL once listening. */
  metricsUrl(): string | undefined;
  /** Stops the listener. */
  close(): Promise<void>;
}

/** `[metrics] listen` from nova.conf (unset: no metrics listener). */
export function metricsListen(config: Pick<NovaConfig, "raw">): ListenAddress | undefined {
  return parseGroup(config, "metrics", (raw) => parseMetricsOptions(raw)).listen;
}

/**
 * The telemetry of the process running `service` (the binary, `nova` for the all-in-one). Spans go to the
 * global tracer provider: a no-op one unless the app called `startTracing` first.
 */
export function createServiceTelemetry(
  config: Pick<NovaConfig, "raw">,
  service: string,
  opts: { tracing?: boolean; requestScope?: RequestScope } = {},
): ServiceTelemetry {
  const listen = metricsListen(config);
  const requestScope = opts.requestScope ?? new RequestScope();
  const metrics = listen ? new NovaMetrics(service) : undefined;
  const tracer = opts.tracing ? trace.getTracer("nova-ts", "0.1.0") : undefined;
  const parts = {
    requestScope,
    ...(metrics ? { metrics } : {}),
    ...(tracer ? { tracer } : {}),
  };
  let listener: MetricsListener | undefined;
  return {
    requestScope,
    metrics,
    messagingObserver: createMessagingObserver(parts),
    apiObserver: createApiObserver(parts),
    schedulingObserver: metrics ? createSchedulingObserver(metrics) : undefined,
    activityObserver: metrics ? createInstanceActivityObserver(metrics) : undefined,
    livenessObserver: metrics ? createLivenessObserver(metrics) : undefined,
    // cell0 counts too: an unschedulable build's history is written there only (Nova's _bury_in_cell0).
    databaseObserver: (database, cell) =>
      metrics ? createDatabaseObserver(metrics, database, cell) : undefined,
    async start(logger) {
      if (!metrics || !listen || listener) return listener?.url;
      listener = await listenMetrics(metrics, listen, logger);
      logger.info({ url: listener.url }, "serving Prometheus metrics");
      return listener.url;
    },
    metricsUrl: () => listener?.url,
    async close() {
      await listener?.close();
      listener = undefined;
    },
  };
}
