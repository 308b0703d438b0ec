// bench/api: requests/s and p99 at 32 concurrent for four Compute API routes, nova-ts's nova-api beside
// Python Nova's (Debian's python3-nova, Zed, noauth2), both seeded with the same servers, hosts and flavors
// over MariaDB and RabbitMQ, and the ratios.
//
//   npx tsx bench/api/run.ts [--servers 1000] [--hosts 100] [--concurrency 32] [--requests 2000]
//        [--warmup 64] [--max-seconds 30] [--endpoint nova|none|http://127.0.0.1:PORT/v2.1]
//        [--nova-workers 1] [--microversion 2.37] [--token admin:admin]
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openApiDatabase, openCellDatabase } from "@nova/db";
import { CLUSTER_IMAGE_ID, ProcessCluster } from "@nova/testing";
import { pythonNovaMissing, startPythonNova } from "./python-nova.js";
import { type LoadOptions, loadRoute, type RouteResult, type RouteSpec } from "./route-load.js";
import { makeSeedPlan, seedNovaTs } from "./seed-plan.js";

const { values: opts } = parseArgs({
  options: {
    servers: { type: "string", default: "1000" },
    hosts: { type: "string", default: "100" },
    concurrency: { type: "string", default: "32" },
    requests: { type: "string", default: "2000" },
    warmup: { type: "string", default: "64" },
    "max-seconds": { type: "string", default: "30" },
    endpoint: { type: "string", default: "nova" },
    "nova-workers": { type: "string", default: "1" },
    microversion: { type: "string", default: "2.37" },
    token: { type: "string", default: "admin:admin" },
    routes: { type: "string", default: "servers,flavors,hypervisors,boot" },
  },
});

function positive(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
}
// Every loop is bounded: the counts here and --max-seconds per route.
const servers = positive("servers", opts.servers, 100_000);
const hosts = positive("hosts", opts.hosts, 10_000);
const load: LoadOptions = {
  token: opts.token,
  microversion: opts.microversion,
  concurrency: positive("concurrency", opts.concurrency, 1024),
  warmup: Number(opts.warmup) === 0 ? 0 : positive("warmup", opts.warmup, 1_000_000),
  requests: positive("requests", opts.requests, 10_000_000),
  maxSeconds: positive("max-seconds", opts["max-seconds"], 3600),
};
const novaWorkers = positive("nova-workers", opts["nova-workers"], 64);

/** The baseline to measure beside ours: start Python Nova, none, or an API already running on loopback. */
function baselineChoice(value: string): { kind: "nova" } | { kind: "none" } | { kind: "url"; url: string } {
  if (value === "nova" || value === "none") return { kind: value };
  const url = new URL(value);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!(host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)))
    throw new Error(`--endpoint must be on a loopback address (127.0.0.0/8, ::1, localhost), not ${host}`);
  return { kind: "url", url: value.replace(/\/+$/, "") };
}
const baseline = baselineChoice(opts.endpoint);

const plan = makeSeedPlan(servers, hosts, CLUSTER_IMAGE_ID);
const ALL_ROUTES: Array<RouteSpec & { key: string }> = [
  {
    key: "servers",
    label: `GET /servers/detail (${servers} servers)`,
    method: "GET",
    path: "/servers/detail",
    expect: 200,
  },
  {
    key: "flavors",
    label: `GET /flavors/detail (${plan.flavors.length} flavors)`,
    method: "GET",
    path: "/flavors/detail",
    expect: 200,
  },
  {
    key: "hypervisors",
    label: `GET /os-hypervisors/detail (${hosts} hosts)`,
    method: "GET",
    path: "/os-hypervisors/detail",
    expect: 200,
  },
  // Not measured by default: the version document, which reads no database (the floor of a request's cost).
  {
    key: "version",
    label: "GET /v2.1 (version document, no database)",
    method: "GET",
    path: "/",
    expect: 200,
  },
  // Last: every accepted boot leaves a build request that later lists would include.
  {
    key: "boot",
    label: "POST /servers (202, cast to the conductor)",
    method: "POST",
    path: "/servers",
    body: (i) => ({
      server: { name: `bench-post-${i}`, flavorRef: "1", imageRef: plan.image.id, networks: "none" },
    }),
    expect: 202,
  },
];

const wanted = new Set(opts.routes.split(",").map((r) => r.trim()));
const unknownRoutes = [...wanted].filter((r) => !ALL_ROUTES.some((route) => route.key === r));
if (unknownRoutes.length > 0)
  throw new Error(
    `--routes: unknown ${unknownRoutes.join(", ")} (servers, flavors, hypervisors, version, boot)`,
  );
const ROUTES: RouteSpec[] = ALL_ROUTES.filter((route) => wanted.has(route.key));

const log = (msg: string) => console.error(`[bench/api] ${msg}`);

// What is running now (a side's processes, databases and vhost): an interrupt tears it down before exiting.
let running: (() => Promise<void>) | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    log(`${signal}: tearing down`);
    void (running?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
const root = fileURLToPath(new URL("../../", import.meta.url));

/** nova-ts's nova-api as its own process over MariaDB and RabbitMQ, seeded with the plan. */
async function startNovaTs(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const cluster = await ProcessCluster.create({ root, prefix: "benchapi", keepOutput: 200 });
  try {
    for (const f of plan.flavors) await cluster.createFlavor(f);
    const apiDb = openApiDatabase(cluster.apiDb.url);
    const cellDb = openCellDatabase(cluster.cellDb.url);
    try {
      await seedNovaTs(plan, apiDb, cellDb);
    } finally {
      await Promise.all([apiDb.close(), cellDb.close()]);
    }
    await cluster.started(cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "bench-ctl" }), 120_000);
    return {
      endpoint: cluster.endpoint,
      // A clean stop first, so a process can write what it writes on exit (a --cpu-prof profile).
      close: async () => {
        await cluster.stopAll().catch(() => undefined);
        await cluster.dispose();
      },
    };
  } catch (err) {
    console.error(cluster.logs(4000));
    await cluster.dispose();
    throw err;
  }
}

/** Checks a side lists what the plan seeded (a baseline passed by URL was seeded by someone else). */
async function describe(endpoint: string): Promise<string> {
  const get = async (path: string, key: string) => {
    const res = await fetch(`${endpoint}${path}`, {
      headers: { "x-auth-token": load.token, "openstack-api-version": `compute ${load.microversion}` },
    });
    if (res.status !== 200) return `${path} ${res.status}`;
    return `${((await res.json()) as Record<string, unknown[]>)[key]?.length ?? 0} ${key}`;
  };
  return [
    await get("/servers/detail", "servers"),
    await get("/flavors/detail", "flavors"),
    await get("/os-hypervisors/detail", "hypervisors"),
  ].join(", ");
}

async function measureRoute(name: string, endpoint: string, route: RouteSpec): Promise<RouteResult> {
  const r = await loadRoute(endpoint, route, load);
  log(
    `${name}: ${route.method} ${route.path}: ${r.kind === "measured" ? `${r.perSecond.toFixed(1)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms` : r.kind}`,
  );
  return r;
}

function cell(r: RouteResult | undefined): [string, string] {
  if (!r) return ["-", "-"];
  if (r.kind === "not served") return [`not served (${r.status})`, ""];
  if (r.kind === "failed") return [`failed (${r.status})`, ""];
  const errors = r.errors > 0 ? ` (${r.errors} errors)` : "";
  return [`${r.perSecond.toFixed(1)}${errors}`, `${r.p99.toFixed(1)} ms`];
}

function ratios(ours: RouteResult, theirs: RouteResult | undefined): [string, string] {
  if (ours.kind !== "measured" || theirs?.kind !== "measured") return ["", ""];
  return [`${(ours.perSecond / theirs.perSecond).toFixed(1)}x`, `${(theirs.p99 / ours.p99).toFixed(1)}x`];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function main(): Promise<number> {
  const loadStart = loadavg()[0]!;
  let baseName = "";
  let baseResults: RouteResult[] | undefined;
  let baseNote = "";

  // Both sides run at once, idle but for the route being measured: each route is measured on one side and
  // then the other, back to back, so a change in the machine's load between routes hits both alike.
  const closers: Array<() => Promise<void>> = [];
  running = async () => {
    for (const close of closers.reverse()) await close();
  };
  const oursResults: RouteResult[] = [];
  try {
    log(
      `seeding nova-ts: ${servers} servers, ${hosts} hosts, ${plan.flavors.length} flavors (MariaDB, RabbitMQ)`,
    );
    const ours = await startNovaTs();
    closers.push(ours.close);
    let baseEndpoint: string | undefined;
    if (baseline.kind === "url") {
      baseName = "endpoint";
      baseEndpoint = baseline.url;
    } else if (baseline.kind === "nova") {
      baseName = "Python Nova";
      const missing = pythonNovaMissing();
      if (missing) baseNote = missing;
      else {
        log(`seeding Python Nova (nova-manage syncs, then Nova's objects; ${novaWorkers} API worker(s))`);
        const python = await startPythonNova(plan, novaWorkers, log);
        closers.push(python.close);
        baseEndpoint = python.endpoint;
      }
    }
    log(`nova-ts at ${ours.endpoint} lists ${await describe(ours.endpoint)}`);
    if (baseEndpoint) {
      log(`${baseName} at ${baseEndpoint} lists ${await describe(baseEndpoint)}`);
      baseResults = [];
    }
    for (const route of ROUTES) {
      oursResults.push(await measureRoute("nova-ts", ours.endpoint, route));
      if (baseEndpoint) baseResults?.push(await measureRoute(baseName, baseEndpoint, route));
    }
  } finally {
    const teardown = running;
    running = undefined;
    await teardown?.();
  }

  const header = ["route", "nova-ts req/s", "p99"];
  if (baseResults) header.push(`${baseName} req/s`, "p99", "req/s ratio", "p99 ratio");
  const rows = [header];
  ROUTES.forEach((route, i) => {
    const row = [route.label, ...cell(oursResults[i])];
    if (baseResults) row.push(...cell(baseResults[i]), ...ratios(oursResults[i]!, baseResults[i]));
    rows.push(row);
  });
  console.log(
    `Compute API at ${load.concurrency} concurrent (microversion ${load.microversion}, up to ${load.requests} ` +
      `requests or ${load.maxSeconds} s per route after ${load.warmup} untimed), nova-ts: one nova-api process` +
      (baseline.kind === "nova" && baseResults
        ? `, Python Nova: osapi_compute_workers = ${novaWorkers}`
        : ""),
  );
  console.log(table(rows));
  if (baseNote) console.log(`${baseName}: ${baseNote}`);
  if (baseResults)
    console.log(
      `ratios: nova-ts req/s over the baseline's; baseline p99 over nova-ts p99 (above 1: nova-ts is faster)`,
    );
  console.log(`load average (1 min): ${loadStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`);
  const failed = [...oursResults, ...(baseResults ?? [])].some((r) => r.kind === "failed");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench/api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
