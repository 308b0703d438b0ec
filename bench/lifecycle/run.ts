// bench/lifecycle: the moves after boot (issue 13) at a number of operations in flight, against nova-ts as separate
// processes (fake driver computes over the real RabbitMQ and MariaDB, started here through @nova/testing's
// ProcessCluster) and, when `--endpoint` names one, against another Compute API under the same load (the Python
// Nova with fake computes): resize + confirm (between two flavors), cold migrate + confirm, live migrate.
// For each: operations/s, and p50/p95 from the API call to the state settling (polled).
//
//   npx tsx bench/lifecycle/run.ts [--computes 4] [--servers 20] [--ops 40] [--concurrency 10] [--poll-ms 50]
//        [--poll-each]   (each waiting move polls its own GET /servers/{id}, instead of one shared list)
//        [--spawn-delay 0] [--operation-delays migrate_disk_and_power_off:0.1,...] [--keep-logs]
//        [--endpoint URL --endpoint-token TOKEN]   (the peer: its flavors are the two smallest it lists)
//        [--python-peer]   (starts Debian's Python Nova cell with as many fake computes and uses it as the peer)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openApiDatabase } from "@nova/db";
import { CLUSTER_IMAGE_ID, ProcessCluster } from "@nova/testing";
import { pythonNovaClusterMissing, startPythonNovaCluster } from "./python-nova-cluster.js";

const { values: opts } = parseArgs({
  options: {
    computes: { type: "string", default: "4" },
    servers: { type: "string", default: "20" },
    ops: { type: "string" },
    concurrency: { type: "string", default: "10" },
    "poll-ms": { type: "string", default: "50" },
    "poll-each": { type: "boolean", default: false },
    "spawn-delay": { type: "string", default: "0" },
    "operation-delays": { type: "string" },
    "keep-logs": { type: "boolean", default: false },
    endpoint: { type: "string" },
    "endpoint-token": { type: "string", default: "admin:admin" },
    "python-peer": { type: "boolean", default: false },
    "timeout-s": { type: "string", default: "300" },
    "db-socket": { type: "string" },
    moves: { type: "string", default: "resize,cold,live" },
  },
});

const computes = Number(opts.computes);
const serverCount = Number(opts.servers);
const concurrency = Number(opts.concurrency);
const opCount = Number(opts.ops ?? String(serverCount * 2));
const pollMs = Number(opts["poll-ms"]);
const pollEach = opts["poll-each"] === true;
const timeoutMs = Number(opts["timeout-s"]) * 1000;
// Both sides reach MariaDB through this socket (`unix_socket` in every database URL) instead of TCP.
const dbSocket = opts["db-socket"];
if (!Number.isInteger(computes) || computes < 2)
  throw new Error("--computes must be 2 or more (moves need two)");
// A server takes one move at a time: fewer servers than moves in flight would leave workers idle.
if (!(serverCount >= concurrency)) throw new Error("--servers must be at least --concurrency");

const log = (msg: string) => console.error(`[lifecycle] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

// biome-ignore lint/suspicious/noExplicitAny: Nova's JSON bodies, read field by field
type Json = any;

/** A Compute API endpoint, spoken to with plain fetch so that any (nova-ts or Python Nova) takes the same load. */
class Target {
  /**
   * Each server's flavor name as the bench left it (booted with the first, then each confirmed resize's):
   * a resize picks its target from here instead of waiting for a listing, which would idle the worker.
   */
  readonly flavorOf = new Map<string, string>();

  constructor(
    readonly label: string,
    readonly endpoint: string,
    private readonly token: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    version = "2.47",
  ): Promise<{ status: number; json: Json }> {
    const res = await fetch(`${this.endpoint}${path}`, {
      method,
      headers: {
        "x-auth-token": this.token,
        "content-type": "application/json",
        "openstack-api-version": `compute ${version}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  async action(id: string, body: unknown): Promise<void> {
    const res = await this.call("POST", `/servers/${id}/action`, body);
    if (res.status !== 202 && res.status !== 204 && res.status !== 200)
      throw new Error(
        `${this.label}: ${Object.keys(body as object)[0]} ${id}: ${res.status} ${JSON.stringify(res.json)}`,
      );
  }

  /** Moves waiting on the shared poll: each server's waiter, checked against every listing. */
  private readonly waiters = new Set<{
    id: string;
    what: string;
    done: (s: Json) => boolean;
    t0: number;
    resolve: (s: Json) => void;
    reject: (err: Error) => void;
  }>();
  private polling = false;

  /**
   * Waits until the server's state satisfies `done`; an ERROR status or the timeout fails the operation. By
   * default one loop lists the servers (`GET /servers/detail`) every `--poll-ms` for every waiting move, so the
   * polling offered to both APIs is one request per interval whatever the concurrency: a poll per move would
   * give the API that answers faster more polls to serve, and at ten in flight they took most of a 2-core
   * machine's CPU. `--poll-each` keeps a `GET /servers/{id}` loop per move.
   */
  until(id: string, what: string, done: (s: Json) => boolean): Promise<Json> {
    if (pollEach) return this.untilEach(id, what, done);
    return new Promise((resolve, reject) => {
      this.waiters.add({ id, what, done, t0: now(), resolve, reject });
      if (!this.polling) void this.pollAll();
    });
  }

  private async pollAll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        const asked = now();
        const res = await this.call("GET", "/servers/detail").catch(() => undefined);
        const byId = new Map<string, Json>(((res?.json?.servers ?? []) as Json[]).map((s) => [s.id, s]));
        for (const w of [...this.waiters]) {
          // A listing asked for before the waiter's action was sent may show the state from before it.
          if (w.t0 > asked) continue;
          const s = byId.get(w.id);
          let failure: string | undefined;
          if (s && w.done(s)) {
            this.waiters.delete(w);
            w.resolve(s);
            continue;
          }
          if (s?.status === "ERROR") failure = `${this.label}: ${w.id} went to ERROR waiting for ${w.what}`;
          else if (now() - w.t0 > timeoutMs)
            failure = `${this.label}: ${w.id} not ${w.what} after ${timeoutMs / 1000} s`;
          if (failure) {
            this.waiters.delete(w);
            w.reject(new Error(failure));
          }
        }
        if (this.waiters.size > 0) await sleep(pollMs);
      }
    } finally {
      this.polling = false;
    }
  }

  private async untilEach(id: string, what: string, done: (s: Json) => boolean): Promise<Json> {
    const t0 = now();
    for (;;) {
      const s = (await this.call("GET", `/servers/${id}`)).json?.server;
      if (s && done(s)) return s;
      if (s?.status === "ERROR") throw new Error(`${this.label}: ${id} went to ERROR waiting for ${what}`);
      if (now() - t0 > timeoutMs)
        throw new Error(`${this.label}: ${id} not ${what} after ${timeoutMs / 1000} s`);
      await sleep(pollMs);
    }
  }
}

const settledActive = (s: Json) => s.status === "ACTIVE" && s["OS-EXT-STS:task_state"] === null;

/** One move of one server: returns seconds from the first API call to the state settling. */
type Move = (t: Target, id: string, flavors: [Flavor, Flavor]) => Promise<number>;

/** A flavor by id and name. */
interface Flavor {
  id: string;
  name: string;
}

const ALL_MOVES: Array<[string, string, Move]> = [
  [
    "resize",
    "resize + confirm",
    async (t, id, [a, b]) => {
      // Unknown after a failed move: then read from a listing (2.47+ shows the flavor's name only).
      const current = t.flavorOf.get(id) ?? (await t.until(id, "ACTIVE", settledActive)).flavor.original_name;
      t.flavorOf.delete(id);
      const to = current === a.name ? b : a;
      const t0 = now();
      await t.action(id, { resize: { flavorRef: to.id } });
      await t.until(id, "VERIFY_RESIZE", (s) => s.status === "VERIFY_RESIZE");
      await t.action(id, { confirmResize: null });
      await t.until(id, "ACTIVE after confirm", settledActive);
      t.flavorOf.set(id, to.name);
      return (now() - t0) / 1000;
    },
  ],
  [
    "cold",
    "cold migrate + confirm",
    async (t, id) => {
      const t0 = now();
      await t.action(id, { migrate: null });
      await t.until(id, "VERIFY_RESIZE", (s) => s.status === "VERIFY_RESIZE");
      await t.action(id, { confirmResize: null });
      await t.until(id, "ACTIVE after confirm", settledActive);
      return (now() - t0) / 1000;
    },
  ],
  [
    "live",
    "live migrate",
    async (t, id) => {
      const before = (await t.call("GET", `/servers/${id}`)).json.server["OS-EXT-SRV-ATTR:host"];
      const t0 = now();
      await t.action(id, { "os-migrateLive": { host: null, block_migration: "auto" } });
      const after = await t.until(id, "ACTIVE after the live migration", settledActive);
      if (after["OS-EXT-SRV-ATTR:host"] === before) throw new Error(`${t.label}: ${id} stayed on ${before}`);
      return (now() - t0) / 1000;
    },
  ],
];

// --moves picks which to run (for profiling one of them), in this order.
const picked = (opts.moves ?? "").split(",").map((m) => m.trim());
const MOVES = ALL_MOVES.filter(([key]) => picked.includes(key)).map(
  ([, name, move]) => [name, move] as const,
);
if (MOVES.length === 0) throw new Error("--moves: a comma list of resize, cold, live");

interface PhaseResult {
  name: string;
  perSecond: number;
  p50: number;
  p95: number;
  failed: number;
  errors: string[];
}

/** Runs `opCount` moves, `concurrency` in flight, each on a server no other move holds. */
async function phase(t: Target, name: string, move: Move, ids: string[], flavors: [Flavor, Flavor]) {
  const free = [...ids];
  const times: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, opCount) }, async () => {
      while (next < opCount) {
        next++;
        const id = free.shift() as string;
        try {
          times.push(await move(t, id, flavors));
        } catch (err) {
          errors.push((err as Error).message);
          // A server left mid-move would stall the next one: settle it if it can be.
          await t
            .until(id, "settled", (s) => s.status === "ACTIVE" || s.status === "VERIFY_RESIZE")
            .catch(() => {});
        }
        free.push(id);
      }
    }),
  );
  const wall = (now() - t0) / 1000;
  return {
    name,
    perSecond: times.length / wall,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    failed: errors.length,
    errors,
  } satisfies PhaseResult;
}

/** Boots the servers, runs every move's phase, deletes them. */
async function load(t: Target, refs: { image: string; flavors: [Flavor, Flavor] }): Promise<PhaseResult[]> {
  const stamp = Date.now().toString(36);
  const ids: string[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < serverCount) {
        const name = `lc-${stamp}-${i++}`;
        const res = await t.call(
          "POST",
          "/servers",
          { server: { name, flavorRef: refs.flavors[0].id, imageRef: refs.image, networks: "none" } },
          "2.37",
        );
        if (res.status !== 202)
          throw new Error(`${t.label}: POST /servers: ${res.status} ${JSON.stringify(res.json)}`);
        const id = res.json.server.id as string;
        await t.until(id, "ACTIVE", settledActive);
        ids.push(id);
        t.flavorOf.set(id, refs.flavors[0].name);
      }
    }),
  );
  log(`${t.label}: ${ids.length} servers ACTIVE`);
  const results: PhaseResult[] = [];
  for (const [name, move] of MOVES) {
    const r = await phase(t, name, move, ids, refs.flavors);
    log(`${t.label}: ${name}: ${r.perSecond.toFixed(2)}/s, p50 ${r.p50.toFixed(3)} s, ${r.failed} failed`);
    for (const e of r.errors.slice(0, 3)) log(`  ${e}`);
    results.push(r);
  }
  await Promise.all(ids.map((id) => t.call("DELETE", `/servers/${id}`)));
  return results;
}

/** The two smallest flavors and the first image the peer lists. */
async function peerRefs(t: Target): Promise<{ image: string; flavors: [Flavor, Flavor] }> {
  const flavors: Json[] = (await t.call("GET", "/flavors/detail")).json?.flavors ?? [];
  const [a, b] = [...flavors].sort((x, y) => x.ram - y.ram || x.disk - y.disk);
  if (!a || !b) throw new Error(`${t.label}: needs two flavors`);
  // The image proxy exists up to 2.35.
  const images: Json[] = (await t.call("GET", "/images", undefined, "2.1")).json?.images ?? [];
  if (!images[0]) throw new Error(`${t.label}: lists no image`);
  return {
    image: images[0].id,
    flavors: [
      { id: a.id, name: a.name },
      { id: b.id, name: b.name },
    ],
  };
}

async function novaTs(): Promise<PhaseResult[]> {
  const t0 = now();
  const root = new URL("../../", import.meta.url).pathname;
  const fake: Record<string, string | number | boolean> = {
    spawn_delay: Number(opts["spawn-delay"]),
    vcpus: 64,
    memory_mb: 131072,
  };
  if (opts["operation-delays"]) fake.operation_delays = opts["operation-delays"];
  const cluster = await ProcessCluster.create({
    root,
    prefix: "lcbench",
    conf: { DEFAULT: { report_interval: 2, service_down_time: 10, rpc_response_timeout: 60 }, fake },
    keepOutput: 200,
    ...(dbSocket ? { unixSocket: dbSocket } : {}),
  });
  const onSignal = () => void cluster.dispose().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  try {
    await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
    await cluster.createFlavor({ name: "m1.small", id: "2", ram: 1024, vcpus: 1, disk: 2 });
    const api = openApiDatabase(cluster.apiDb.url);
    try {
      for (const r of ["instances", "cores", "ram"] as const) await api.quotas.setLimit("admin", r, -1);
    } finally {
      await api.close();
    }
    await cluster.started(cluster.start("nova-conductor", "conductor", { OS_DEFAULT__HOST: "lc-ctl" }));
    const apiProc = cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "lc-ctl" });
    for (let i = 1; i <= computes; i++)
      cluster.start("nova-compute", `lc-cpu-${i}`, { OS_DEFAULT__HOST: `lc-cpu-${i}` });
    await cluster.started(apiProc);
    const t = new Target("nova-ts", cluster.endpoint, "admin:admin");
    const up = async (binary: string) =>
      ((await t.call("GET", `/os-services?binary=${binary}`)).json.services as Json[]).filter(
        (s) => s.state === "up",
      );
    await cluster.until(
      `${computes} nova-compute up`,
      async () => ((await up("nova-compute")).length === computes ? true : undefined),
      180_000,
    );
    // Started after the computes registered their nodes, the scheduler loads every host state at start.
    cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "lc-ctl" });
    await cluster.until(
      "nova-scheduler up",
      async () => ((await up("nova-scheduler")).length === 1 ? true : undefined),
      120_000,
    );
    log(
      `up in ${((now() - t0) / 1000).toFixed(1)} s: nova-api, nova-conductor, nova-scheduler, ${computes} nova-compute (fake driver)`,
    );
    try {
      return await load(t, {
        image: CLUSTER_IMAGE_ID,
        flavors: [
          { id: "1", name: "m1.tiny" },
          { id: "2", name: "m1.small" },
        ],
      });
    } finally {
      if (opts["keep-logs"]) console.error(cluster.logs(4000));
      const unclean = (await cluster.stopAll()).filter(([, c]) => c !== 0);
      if (unclean.length > 0) log(`unclean exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(", ")}`);
    }
  } catch (err) {
    console.error(cluster.logs(4000));
    throw err;
  } finally {
    await cluster.dispose();
  }
}

/** The installed python3-nova's version, as its package metadata gives it. */
function pythonNovaVersion(): string {
  const r = spawnSync(
    "/usr/bin/python3",
    ["-c", "from importlib.metadata import version; print(version('nova'))"],
    {
      encoding: "utf8",
    },
  );
  return r.status === 0 ? r.stdout.trim() : "(version unknown)";
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Starts the Python Nova cell, runs the load against it, stops it (keeping its logs with --keep-logs). */
async function pythonPeer(): Promise<PhaseResult[]> {
  const missing = pythonNovaClusterMissing();
  if (missing) throw new Error(`--python-peer: ${missing}`);
  const cluster = await startPythonNovaCluster(computes, log, dbSocket);
  const onSignal = () => void cluster.close().finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  try {
    const t = new Target("Python Nova", cluster.endpoint, cluster.token);
    return await load(t, await peerRefs(t));
  } finally {
    process.off("SIGINT", onSignal);
    await cluster.close(opts["keep-logs"]);
    if (opts["keep-logs"]) log(`Python Nova's logs kept in ${cluster.dir}`);
  }
}

async function main() {
  if (opts["python-peer"] && opts.endpoint) throw new Error("give --python-peer or --endpoint, not both");
  const loads = [`start ${loadavg()}`];
  const ours = await novaTs();
  loads.push(`after nova-ts ${loadavg()}`);
  let peer: PhaseResult[] | undefined;
  let peerName = opts.endpoint;
  if (opts.endpoint) {
    const t = new Target("peer", opts.endpoint.replace(/\/+$/, ""), opts["endpoint-token"]);
    peer = await load(t, await peerRefs(t));
  } else if (opts["python-peer"]) {
    peer = await pythonPeer();
    peerName = `Debian's Python Nova ${pythonNovaVersion()} (placement, nova-api, nova-conductor, nova-scheduler, ${computes} nova-compute with fake.FakeLiveMigrateDriver), started here`;
  }
  if (peer) loads.push(`after Nova ${loadavg()}`);
  console.log(
    `bench/lifecycle: ${serverCount} servers, ${opCount} operations per move, ${concurrency} in flight, ` +
      `${computes} fake computes, ${pollEach ? "each move polling its server" : "one shared listing"} every ${pollMs} ms`,
  );
  console.log(
    peer
      ? `Nova column: ${peerName}, measured in this run under the same load.`
      : "Nova column: not measured (no --endpoint or --python-peer given); no quoted figure stands in for it.",
  );
  console.log(`load average (1/5/15 min): ${loads.join(", ")}`);
  const rows: string[][] = [];
  for (const [i, r] of ours.entries()) {
    const p = peer?.[i];
    const cell = (x: number | undefined, unit: string) =>
      x === undefined ? "not measured" : `${x.toFixed(unit === "/s" ? 2 : 3)}${unit === "/s" ? "" : " s"}`;
    rows.push([
      `${r.name}: operations/s`,
      cell(r.perSecond, "/s"),
      cell(p?.perSecond, "/s"),
      p ? `${(r.perSecond / p.perSecond).toFixed(1)}x` : "",
    ]);
    rows.push([
      `${r.name}: p50`,
      cell(r.p50, "s"),
      cell(p?.p50, "s"),
      p ? `${(p.p50 / r.p50).toFixed(1)}x` : "",
    ]);
    rows.push([
      `${r.name}: p95`,
      cell(r.p95, "s"),
      cell(p?.p95, "s"),
      p ? `${(p.p95 / r.p95).toFixed(1)}x` : "",
    ]);
    rows.push([`${r.name}: failed`, String(r.failed), p ? String(p.failed) : "", ""]);
  }
  const head = ["figure", "nova-ts", "Nova", "ratio"];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  return ours.some((r) => r.failed > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench/lifecycle failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
