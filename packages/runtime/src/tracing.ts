// @nova/runtime/tracing: the OpenTelemetry SDK, for the apps only (libraries and services use
// @opentelemetry/api). Configured by the standard OTEL_* variables; off unless they ask for an exporter.

import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

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
 * Registers a global tracer provider (W3C trace context, AsyncLocalStorage context) exporting to what the
 * OTEL_* variables say, or to `exporter` (tests pass an in-memory one). Undefined when tracing is off.
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
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: [processor],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
