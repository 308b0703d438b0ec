// One configuration of bench/messaging's 32-in-flight comparison, in a process of its own, so that what one
// configuration installs (the OpenTelemetry SDK's AsyncLocalStorage context, which hooks every promise of the
// process) never slows the others. run.ts starts one worker per configuration and alternates their rounds.
//
//   npx tsx bench/messaging/in-flight-worker.ts <raw|off|on> <amqp-url> <transport-url>
//     stdin "<in-flight> <seconds>" -> stdout calls/s; "READY" once warm; exits when stdin closes
//   npx tsx bench/messaging/in-flight-worker.ts <raw|off|on> <amqp-url> <transport-url> --for <seconds>
//     one round and exit (for `node --cpu-prof`, see README.md)
import { AsyncLocalStorage } from "node:async_hooks";
import { createInterface } from "node:readline";
import type { MessagingObserver } from "@nova/messaging";
import { startTracing } from "@nova/runtime/tracing";
import { createMessagingObserver, NovaMetrics, RequestScope } from "@nova/telemetry";
import { trace } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { novaSide, rawSide, type Side, throughput } from "./sides.js";

const [mode, amqpUrl, transportUrl, flag, forSeconds] = process.argv.slice(2);

/**
 * Metrics, spans and request ids as a service started with `[metrics] listen` and an OTEL exporter has them:
 * the runtime's `startTracing` (SpanRecorder spans, W3C propagator, AsyncLocalStorage context, a batch span
 * processor, the OTEL_TRACES_SAMPLER sampler) with an exporter that drops the spans, a real prom-client
 * registry and the log request scope.
 */
function appTelemetry(): MessagingObserver {
  const drop: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const tracing = startTracing("bench", process.env, { exporter: drop });
  if (!tracing) throw new Error("tracing did not start");
  // BENCH_PARTS (profiling aid): a comma list of metrics, tracing, scope; default all three.
  const parts = (process.env.BENCH_PARTS ?? "metrics,tracing,scope").split(",");
  return createMessagingObserver({
    ...(parts.includes("metrics") ? { metrics: new NovaMetrics("bench") } : {}),
    // As createServiceTelemetry does: the global provider startTracing registered.
    ...(parts.includes("tracing") ? { tracer: trace.getTracer("nova-ts", "0.1.0") } : {}),
    ...(parts.includes("scope") ? { requestScope: new RequestScope() } : {}),
  });
}

/** Calls/s, and this process's CPU time per call (client and servers both run here), which load elsewhere
 * on the machine disturbs much less than it disturbs the rate. */
async function measure(
  side: Side,
  inFlight: number,
  seconds: number,
): Promise<{ rate: number; cpuUs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rate = await throughput(side.call, inFlight, seconds);
  const cpu = process.cpuUsage(cpu0);
  const calls = (rate * (performance.now() - t0)) / 1000;
  return { rate, cpuUs: (cpu.user + cpu.system) / calls };
}

async function main() {
  if (!mode || !amqpUrl || !transportUrl || !["raw", "off", "on"].includes(mode)) {
    throw new Error("usage: in-flight-worker.ts <raw|off|on> <amqp-url> <transport-url> [--for <seconds>]");
  }
  const side: Side =
    mode === "raw"
      ? await rawSide(amqpUrl)
      : await novaSide(transportUrl, mode === "on" ? appTelemetry() : undefined, `bench_${mode}`);
  // BENCH_ALS=1: an AsyncLocalStorage entered once and never again, to price Node 20's async hooks alone.
  if (process.env.BENCH_ALS) new AsyncLocalStorage().enterWith({});
  for (let i = 0; i < 200; i++) await side.call();
  if (flag === "--for") {
    console.log(JSON.stringify(await measure(side, 32, Number(forSeconds ?? 5))));
  } else {
    console.log("READY");
    for await (const line of createInterface({ input: process.stdin })) {
      const [inFlight, seconds] = line.trim().split(/\s+/).map(Number);
      console.log(JSON.stringify(await measure(side, inFlight!, seconds!)));
    }
  }
  await side.close();
}

await main();
