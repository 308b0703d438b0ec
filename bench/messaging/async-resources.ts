// Async resources (promises, ticks, timers, socket writes) created per RPC call, by type: what each costs an
// async-hooks call once an AsyncLocalStorage is on (Node 20), counted rather than timed, so the figure does not
// depend on the machine's load.
//
//   npx tsx bench/messaging/async-resources.ts <off|on> [transport-url]     (default fake://; BENCH_PARTS works)
import { createHook } from "node:async_hooks";
import { startTracing } from "@nova/runtime/tracing";
import { createMessagingObserver, NovaMetrics, RequestScope } from "@nova/telemetry";
import { trace } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { novaSide, throughput } from "./sides.js";

const [mode = "on", transportUrl = "fake://"] = process.argv.slice(2);
const CALLS = 2000;

function observer() {
  if (mode !== "on") return undefined;
  const drop: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  startTracing("bench", process.env, { exporter: drop });
  const parts = (process.env.BENCH_PARTS ?? "metrics,tracing,scope").split(",");
  return createMessagingObserver({
    ...(parts.includes("metrics") ? { metrics: new NovaMetrics("bench") } : {}),
    ...(parts.includes("tracing") ? { tracer: trace.getTracer("nova-ts", "0.1.0") } : {}),
    ...(parts.includes("scope") ? { requestScope: new RequestScope() } : {}),
  });
}

const side = await novaSide(transportUrl, observer(), `resources_${mode}`);
await throughput(side.call, 32, 0.2);
const counts = new Map<string, number>();
const hook = createHook({
  init(_id, type) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
  },
});
// 32 in flight, as the flight32 comparison runs, for a fixed number of calls.
let left = CALLS;
hook.enable();
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (left > 0) {
      left -= 1;
      await side.call();
    }
  }),
);
hook.disable();
await side.close();
const perCall = [...counts].map(([type, n]) => `${type} ${(n / CALLS).toFixed(2)}`).join(", ");
const total = [...counts.values()].reduce((a, b) => a + b, 0) / CALLS;
console.log(`${mode} ${transportUrl}: ${total.toFixed(2)} async resources per call (${perCall})`);
process.exit(0);
