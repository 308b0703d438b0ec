// @nova/runtime/tracing: the OpenTelemetry SDK, for the apps only (libraries and services use
// @opentelemetry/api). Configured by the standard OTEL_* variables; off unless they ask for an exporter.

import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { SpanRecorder } from "./span-recorder.js";

/** A started tracer provider: flush and stop it on exit. */
export interface Tracing {
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Which exporter the OTEL_* variables ask for: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`), else `otlp`
 * when an OTLP endpoint is set; `OTEL_SDK_DISABLED=true` turns everything off.
 */
export function tracesExporterFrom(env: Record<string, string | undefined>): "otlp" | "console" | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const asked = env.OTEL_TRACES_EXPORTER?.split(",")[0]?.trim().toLowerCase();
  if (asked === "otlp" || asked === "console") return asked;
  if (asked === "none") return undefined;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? "otlp" : undefined;
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name, as the SDK reads them; by default
 * parent-based always-on (a request is traced when its caller's was, and every new trace is).
 */
export function samplerFrom(env: Record<string, string | undefined>): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || "parentbased_always_on";
  const arg = Number.parseFloat(env.OTEL_TRACES_SAMPLER_ARG ?? "");
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Registers a global tracer provider (W3C trace context and baggage, AsyncLocalStorage context) exporting
 * through the SDK's batch processor to what the OTEL_* variables say, or to `exporter` or `processor` (tests
 * pass an in-memory one). Its spans are `SpanRecorder`'s. Undefined when tracing is off.
 */
export function startTracing(
  serviceName: string,
  env: Record<string, string | undefined>,
  opts: { processor?: SpanProcessor; exporter?: SpanExporter } = {},
): Tracing | undefined {
  const kind = tracesExporterFrom(env);
  let processor = opts.processor;
  if (!processor) {
    const exporter =
      opts.exporter ??
      (kind === "otlp"
        ? new OTLPTraceExporter()
        : kind === "console"
          ? new ConsoleSpanExporter()
          : undefined);
    if (!exporter) return undefined;
    processor = new BatchSpanProcessor(exporter);
  }
  const provider = new SpanRecorder({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? serviceName }),
    processor,
    sampler: samplerFrom(env),
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return { shutdown: () => provider.shutdown() };
}

export { SpanRecorder } from "./span-recorder.js";
