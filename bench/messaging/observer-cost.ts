// The CPU cost of the telemetry observer alone, per RPC request (send + dispatch + both ends), with no broker:
// what the 32-in-flight comparison charges to "on", without the machine's load and the broker in the figure.
//
//   npx tsx bench/messaging/observer-cost.ts [iterations]     (BENCH_PARTS as for in-flight-worker.ts)
//
// Prints µs per request for: no observer, then the observer with the configured parts, in one process with
// the runtime's tracing started (so both pay the AsyncLocalStorage hooks, as a traced service does).
import type { RpcDispatchEvent, RpcSendEvent } from "@nova/messaging";
import { startTracing } from "@nova/runtime/tracing";
import { createMessagingObserver, NovaMetrics, RequestScope } from "@nova/telemetry";
import { trace } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";

const iterations = Number(process.argv[2] ?? 200_000);
const drop: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const tracing = startTracing("bench", process.env, { exporter: drop });
if (!tracing) throw new Error("tracing did not start");
const parts = (process.env.BENCH_PARTS ?? "metrics,tracing,scope").split(",");
const observer = createMessagingObserver({
  ...(parts.includes("metrics") ? { metrics: new NovaMetrics("bench") } : {}),
  ...(parts.includes("tracing") ? { tracer: trace.getTracer("nova-ts", "0.1.0") } : {}),
  ...(parts.includes("scope") ? { requestScope: new RequestScope() } : {}),
});

const context = { request_id: "req-7d3c1c38-2b7a-4a55-9f0e-8cc1c2a5e0a1", global_request_id: "req-1" };
const send: RpcSendEvent = { kind: "call", target: { topic: "bench" }, method: "echo", context };
const method = async () => 1;

/** One request as the client and server see it: send, dispatch (run the method in scope), end both. */
async function instrumented(): Promise<void> {
  const s = observer.rpcSend!(send);
  const e: RpcDispatchEvent = {
    kind: "call",
    target: { topic: "bench", server: "s1" },
    method: "echo",
    context,
    headers: s.headers ?? {},
    lane: "default",
  };
  const d = observer.rpcDispatch!(e);
  await d.run(method);
  d.end();
  s.end();
}

async function bare(): Promise<void> {
  await method();
}

async function usPerRequest(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 20_000; i++) await fn();
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const cpu = process.cpuUsage(t0);
  return (cpu.user + cpu.system) / iterations;
}

const rounds: Array<[number, number]> = [];
for (let r = 0; r < 5; r++) rounds.push([await usPerRequest(bare), await usPerRequest(instrumented)]);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(rounds.map((r) => r[0]));
const on = median(rounds.map((r) => r[1]));
console.log(
  `observer (${parts.join(",")}): ${(on - base).toFixed(2)} µs per request ` +
    `(${on.toFixed(2)} with it, ${base.toFixed(2)} without; median of 5 rounds of ${iterations})`,
);
await tracing.shutdown();
