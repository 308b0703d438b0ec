// One route under load: `concurrency` clients, each sending its next request as soon as its last one answered
// (a closed loop), until `requests` have been sent or `maxSeconds` have passed, whichever comes first.
import { Agent, request } from "node:http";

/** A request the bench sends, and the status that counts as success. */
export interface RouteSpec {
  label: string;
  method: "GET" | "POST";
  path: string;
  /** A fresh body for the i-th request (POST). */
  body?: (i: number) => unknown;
  expect: number;
}

/** How hard and how long to push one route. */
export interface LoadOptions {
  token: string;
  microversion: string;
  concurrency: number;
  /** Untimed requests first (connections, JIT, caches), at the same concurrency. */
  warmup: number;
  requests: number;
  maxSeconds: number;
}

/** What one route measured: throughput and latency, or why it could not be measured. */
export type RouteResult =
  | {
      kind: "measured";
      perSecond: number;
      p50: number;
      p99: number;
      requests: number;
      errors: number;
      bytes: number;
    }
  | { kind: "not served"; status: number }
  | { kind: "failed"; status: number; detail: string };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// Node's http client with kept-alive sockets: much lighter than fetch, and the load generator shares the
// machine's two cores with the API it measures.
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/** Sends one request; its status, body size and milliseconds from send to the last body byte. */
function send(
  endpoint: string,
  route: RouteSpec,
  i: number,
  opts: LoadOptions,
): Promise<{ status: number; bytes: number; ms: number; text: () => string }> {
  const start = performance.now();
  const url = new URL(`${endpoint}${route.path}`);
  const body = route.body ? JSON.stringify(route.body(i)) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: route.method,
        headers: {
          "x-auth-token": opts.token,
          "openstack-api-version": `compute ${opts.microversion}`,
          "x-openstack-nova-api-version": opts.microversion,
          ...(body !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
            : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            bytes: all.length,
            ms: performance.now() - start,
            text: () => all.toString(),
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in 60 s: ${route.method} ${route.path}`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Measures `route` on `endpoint` (a Compute API root such as http://127.0.0.1:8774/v2.1). */
export async function loadRoute(endpoint: string, route: RouteSpec, opts: LoadOptions): Promise<RouteResult> {
  let sent = 0;
  const probe = await send(endpoint, route, sent++, opts);
  // Nova answers 404 for a resource it has no controller for; a method not routed is a 405.
  if (probe.status === 404 || probe.status === 405 || probe.status === 501)
    return { kind: "not served", status: probe.status };
  if (probe.status !== route.expect)
    return { kind: "failed", status: probe.status, detail: probe.text().slice(0, 300) };

  const run = async (count: number, deadline: number, onAnswer: (ms: number, ok: boolean) => void) => {
    let issued = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (issued < count && performance.now() < deadline) {
          issued++;
          const r = await send(endpoint, route, sent++, opts);
          onAnswer(r.ms, r.status === route.expect);
        }
      }),
    );
  };
  await run(opts.warmup, performance.now() + opts.maxSeconds * 1000, () => undefined);

  const times: number[] = [];
  let errors = 0;
  const start = performance.now();
  await run(opts.requests, start + opts.maxSeconds * 1000, (ms, ok) => {
    times.push(ms);
    if (!ok) errors++;
  });
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  return {
    kind: "measured",
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    requests: times.length,
    errors,
    bytes: probe.bytes,
  };
}
