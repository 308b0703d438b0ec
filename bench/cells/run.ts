// Issue 15: does splitting into cells raise the boot rate? For each layout (1 cell, then 4): a top-level vhost
// with the API database and cell0, nova-api, nova-scheduler and a super conductor; each cell its own RabbitMQ
// vhost, MariaDB database and cell conductor; --hosts simulated computes (the real compute service, fake
// driver, in four compute-farm processes whatever the layout) split evenly over the cells and mapped by
// `nova-manage cell_v2 discover_hosts`. Boots are offered open loop at each --rates step for --seconds; a step
// reports completed boots/s, p50/p95 POST-to-ACTIVE, per-cell broker messages/s (the vhost's counters in the
// management API) and database queries/s (each cell's database has its own MariaDB user, counted by
// USER_STATISTICS), and the CPU of every process. Stepping stops once p95 exceeds --p95-bound; the last row
// compares the highest rate each layout sustained within the bound.
//
//   npx tsx bench/cells/run.ts                        # 2,000 hosts, layouts 1 and 4 cells
//   npx tsx bench/cells/run.ts --hosts 200 --rates 5,10,20 --seconds 20
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { type ApiDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { CELL0_UUID } from "@nova/objects";
import {
  CLUSTER_IMAGE_ID,
  createTestDatabase,
  createTestVhost,
  defaultBroker,
  defaultMariaDb,
  ProcessCluster,
  type TestDatabase,
  type TestVhost,
} from "@nova/testing";
import mysql from "mysql2/promise";
import {
  type CellsBenchOptions,
  parseCellsBenchArgs,
  percentile,
  ratePerSecond,
  type StepFigures,
  type StepResult,
  scalingRatio,
  splitHosts,
  stepFigures,
  sustainedStep,
} from "./summary.js";

const opts = parseCellsBenchArgs(process.argv.slice(2));
const root = fileURLToPath(new URL("../../", import.meta.url));
const log = (msg: string) => console.error(`[cells] ${msg}`);
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Simulated computes always run in this many processes, so the simulation costs the same in every layout. */
const FARMS = 4;
const TICKS_PER_SECOND = 100;

/** One cell of a layout: its broker vhost, its database (and the MariaDB user only it connects as). */
interface BenchCell {
  name: string;
  uuid: string;
  vhost: TestVhost;
  dbName: string;
  dbUser: string;
  dbUrl: string;
  hosts: number;
}

/** A process whose CPU is sampled: a service, a compute farm, or the broker and database servers. */
interface Sampled {
  name: string;
  pid: number;
}

/** Per-cell (and the top level's) load over one step; the top level comes first. */
interface CellLoad {
  cell: string;
  published: number;
  delivered: number;
  queries: number;
  dbBusy: number;
}

interface StepReport {
  figures: StepFigures;
  step: StepResult;
  cells: CellLoad[];
  cpu: Array<[string, number]>;
  /** Median seconds POST to created in its cell, created to launched_at, and launched to ACTIVE seen. */
  split: { top: number; cell: number; seen: number };
}

interface LayoutReport {
  cells: number;
  steps: StepReport[];
  setupSeconds: number;
}

// --- counters -------------------------------------------------------------------------------------------

async function vhostCounters(vhost: string): Promise<{ published: number; delivered: number }> {
  const auth = Buffer.from(`${defaultBroker.user}:${defaultBroker.password}`).toString("base64");
  const res = await fetch(`${defaultBroker.managementUrl}/api/vhosts/${encodeURIComponent(vhost)}`, {
    headers: { authorization: `Basic ${auth}` },
  });
  if (!res.ok) throw new Error(`management API: vhost ${vhost}: HTTP ${res.status}`);
  const body = (await res.json()) as { message_stats?: { publish?: number; deliver_get?: number } };
  return { published: body.message_stats?.publish ?? 0, delivered: body.message_stats?.deliver_get ?? 0 };
}

/** Statements and busy seconds of each MariaDB user (USER_STATISTICS, with userstat on). */
async function userCounters(db: mysql.Connection): Promise<Map<string, { queries: number; busy: number }>> {
  const [rows] = await db.query(
    "SELECT USER AS user, SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS AS queries, BUSY_TIME AS busy " +
      "FROM information_schema.USER_STATISTICS",
  );
  return new Map(
    (rows as Array<{ user: string; queries: number | string; busy: number | string }>).map((r) => [
      r.user,
      { queries: Number(r.queries), busy: Number(r.busy) },
    ]),
  );
}

/** utime + stime of a process, in seconds (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The broker's and the database server's pids (shared with everything else running on the machine). */
function serverPids(): Sampled[] {
  const found: Sampled[] = [];
  for (const pid of readdirPids()) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (comm === "beam.smp") found.push({ name: "rabbitmq (all vhosts)", pid });
      if (comm === "mariadbd" || comm === "mysqld") found.push({ name: "mariadb (all databases)", pid });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function readdirPids(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** A MariaDB user that may use only `databases`, so USER_STATISTICS counts their statements apart. */
async function createDbUser(
  stats: mysql.Connection,
  user: string,
  databases: string[],
  cleanup: Array<() => Promise<unknown>>,
): Promise<(database: string) => string> {
  const password = randomBytes(8).toString("hex");
  await stats.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  cleanup.push(() => stats.query(`DROP USER IF EXISTS '${user}'@'%'`));
  for (const db of databases) await stats.query(`GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${user}'@'%'`);
  const { host, port } = defaultMariaDb;
  return (database) => `mysql+pymysql://${user}:${password}@${host}:${port}/${database}?charset=utf8`;
}

/** The database name of a `mysql+pymysql://` URL. */
function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url.replace(/^[a-z+]+:/, "http:")).pathname.slice(1));
}

// --- processes --------------------------------------------------------------------------------------------

/** Where a process's whole log goes with --log-dir (`<cells>cell-<process>.log`), or undefined without it. */
function logFile(cellCount: number, processName: string): string | undefined {
  if (!opts.logDir) return undefined;
  mkdirSync(opts.logDir, { recursive: true });
  return `${opts.logDir}/${cellCount}cell-${processName}.log`;
}

interface Farm {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function startFarm(
  confPath: string,
  name: string,
  env: Record<string, string>,
  logFile: string | undefined,
): Farm {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/cells/compute-farm.ts", "--config-file", confPath],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const record = (b: Buffer) => {
    // Streamed as it comes: a farm's whole log would not fit the tail kept for failures.
    if (logFile) appendFileSync(logFile, b);
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", record);
  child.stderr?.on("data", record);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, output, exited };
}

// --- one step of offered load -------------------------------------------------------------------------------

/** A step's outcome, with when each boot was posted and seen ACTIVE (ms since the epoch, by id). */
interface Offered {
  result: StepResult;
  postedAt: Map<string, number>;
  activeAt: Map<string, number>;
}

async function offer(client: ComputeClient, label: string, rate: number, seconds: number): Promise<Offered> {
  const total = Math.max(1, Math.round(rate * seconds));
  const postedAt = new Map<string, number>();
  const seenActive = new Map<string, number>();
  const seenError = new Set<string>();
  const times: number[] = [];
  const pending = new Set<string>();
  let postFailures = 0;
  let lastActiveAt = 0;
  const settle = (id: string) => {
    const at = postedAt.get(id);
    const active = seenActive.get(id);
    if (at === undefined || !pending.has(id)) return;
    if (active !== undefined) {
      pending.delete(id);
      times.push((active - at) / 1000);
      lastActiveAt = Math.max(lastActiveAt, active);
    } else if (seenError.has(id)) pending.delete(id);
  };

  // Polls the servers changed in the last few seconds (updated_at has whole seconds: the window overlaps).
  let polling = true;
  let polls = 0;
  const poller = (async () => {
    let since = Date.now() - 5000;
    while (polling) {
      const started = Date.now();
      const window = new Date(since - 3000).toISOString();
      try {
        const active = await client.listServers({ status: "ACTIVE", "changes-since": window, limit: 1000 });
        const seen = Date.now();
        for (const s of active.servers) {
          if (!seenActive.has(s.id)) seenActive.set(s.id, seen);
          settle(s.id);
        }
        if (polls++ % 4 === 0) {
          const failed = await client.listServers({ status: "ERROR", "changes-since": window, limit: 1000 });
          for (const s of failed.servers) {
            seenError.add(s.id);
            settle(s.id);
          }
        }
        since = started;
      } catch (err) {
        log(`poll failed (retrying): ${err instanceof Error ? err.message : String(err)}`);
      }
      await pause(Math.max(0, 200 - (Date.now() - started)));
    }
  })();

  // Open loop: the k-th boot is posted at t0 + k/rate whether or not the earlier ones have answered.
  const t0 = performance.now();
  const firstPost = Date.now();
  const posts: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
    const sentAt = Date.now();
    posts.push(
      client
        .createServer({ name: `${label}-${k}`, flavorRef: "1", imageRef: CLUSTER_IMAGE_ID })
        .then((created) => {
          postedAt.set(created.id, sentAt);
          pending.add(created.id);
          settle(created.id);
        })
        .catch((err: unknown) => {
          postFailures++;
          if (postFailures <= 3)
            log(`POST /servers failed: ${err instanceof Error ? err.message : String(err)}`);
        }),
    );
  }
  await Promise.all(posts);
  const drainUntil = Date.now() + opts.drain * 1000;
  while (pending.size > 0 && Date.now() < drainUntil) await pause(200);
  polling = false;
  await poller;
  const result: StepResult = {
    offered: rate,
    posted: postedAt.size,
    timesToActive: times,
    errors: seenError.size + postFailures,
    unfinished: pending.size,
    wallSeconds: lastActiveAt > 0 ? (lastActiveAt - firstPost) / 1000 : 0,
  };
  return { result, postedAt, activeAt: seenActive };
}

/**
 * Where a step's time went: the median seconds from POST to the instance's row in its cell (API, scheduler,
 * super conductor: the top level), from there to `launched_at` (cell conductor, compute), and from there to
 * the poll seeing ACTIVE (nova-api's list). The timestamps have whole seconds: each is good to a second.
 */
async function splitTimes(
  stats: mysql.Connection,
  cells: BenchCell[],
  offered: Offered,
): Promise<{ top: number; cell: number; seen: number }> {
  const ids = [...offered.postedAt.keys()].filter((id) => offered.activeAt.has(id));
  const top: number[] = [];
  const cell: number[] = [];
  const seen: number[] = [];
  if (ids.length === 0) return { top: Number.NaN, cell: Number.NaN, seen: Number.NaN };
  for (const c of cells) {
    const [rows] = await stats.query(
      "SELECT uuid, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') AS created, " +
        `DATE_FORMAT(launched_at, '%Y-%m-%dT%H:%i:%sZ') AS launched FROM \`${c.dbName}\`.instances ` +
        "WHERE uuid IN (?)",
      [ids],
    );
    for (const r of rows as Array<{ uuid: string; created: string; launched: string | null }>) {
      const created = Date.parse(r.created) + 500; // the middle of its second
      const launched = r.launched ? Date.parse(r.launched) + 500 : Number.NaN;
      top.push((created - offered.postedAt.get(r.uuid)!) / 1000);
      cell.push((launched - created) / 1000);
      seen.push((offered.activeAt.get(r.uuid)! - launched) / 1000);
    }
  }
  return { top: percentile(top, 50), cell: percentile(cell, 50), seen: percentile(seen, 50) };
}

// --- one layout -------------------------------------------------------------------------------------------

async function runLayout(cellCount: number, stats: mysql.Connection): Promise<LayoutReport> {
  const t0 = performance.now();
  const cleanup: Array<() => Promise<unknown>> = [];
  const farms: Farm[] = [];
  const cluster = await ProcessCluster.create({
    root,
    prefix: `bcells${cellCount}`,
    conf: {
      DEFAULT: {
        report_interval: opts.reportInterval,
        service_down_time: Math.max(60, 6 * opts.reportInterval),
        rpc_response_timeout: 180,
      },
      // Hosts are mapped once by discover_hosts after the farms are up, as an operator would.
      scheduler: { discover_hosts_in_cells_interval: -1 },
      fake: { spawn_delay: opts.spawnDelay },
    },
    // With --log-dir every chunk is kept, to be written out at the end (a few minutes' run: some MB).
    keepOutput: opts.logDir ? Number.MAX_SAFE_INTEGER : 200,
  });
  let apiDb: ApiDatabase | undefined;
  try {
    apiDb = openApiDatabase(cluster.apiDb.url);
    await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
    for (const r of ["instances", "cores", "ram"] as const) await apiDb.quotas.setLimit("admin", r, -1);

    // simple_cell_setup made cell1 on the top-level vhost and the cluster's cell database: give it a vhost
    // of its own, and make the other cells beside it. Each cell's database is reached as its own user.
    const cells: BenchCell[] = [];
    const shares = splitHosts(opts.hosts, cellCount);
    const cell1 = (await apiDb.mappings.listCells()).find((c) => c.uuid !== CELL0_UUID)!;
    const tag = randomBytes(3).toString("hex");
    for (let i = 1; i <= cellCount; i++) {
      const vhost = await createTestVhost(`nova-bcells-c${i}`);
      cleanup.push(() => vhost.dispose());
      let db: TestDatabase | undefined;
      if (i > 1) {
        db = await createTestDatabase(`bcells_c${i}`);
        cleanup.push(() => db!.dispose());
      }
      const dbName = db?.name ?? cluster.cellDb.name;
      const dbUser = `bc${tag}c${i}`;
      const dbUrl = (await createDbUser(stats, dbUser, [dbName], cleanup))(dbName);
      let uuid: string;
      if (i === 1) {
        await apiDb.mappings.updateCell(cell1.uuid, {
          transport_url: vhost.transportUrl,
          database_connection: dbUrl,
        });
        uuid = cell1.uuid;
      } else {
        const cellDb = openCellDatabase(db!.url);
        await cellDb.sync(); // nova-manage db sync --local_cell, in process
        await cellDb.close();
        uuid = (
          await apiDb.mappings.createCell({
            name: `cell${i}`,
            transport_url: vhost.transportUrl,
            database_connection: dbUrl,
          })
        ).uuid;
      }
      cells.push({ name: `cell${i}`, uuid, vhost, dbName, dbUser, dbUrl, hosts: shares[i - 1]! });
    }

    // The top level (API database and cell0) as one more user, so its load is shown beside the cells'.
    const cell0Name = databaseOf((await apiDb.mappings.getCell(CELL0_UUID)).database_connection);
    const topUser = `bc${tag}top`;
    const topUrl = await createDbUser(stats, topUser, [cluster.apiDb.name, cell0Name], cleanup);
    const cell0Url = topUrl(cell0Name);
    await apiDb.mappings.updateCell(CELL0_UUID, { database_connection: cell0Url });
    const top = { OS_API_DATABASE__CONNECTION: topUrl(cluster.apiDb.name) };
    const meters = [
      { name: "top (API DB + cell0)", vhost: cluster.vhost.name, dbUser: topUser },
      ...cells.map((c) => ({ name: c.name, vhost: c.vhost.name, dbUser: c.dbUser })),
    ];
    const sampled: Sampled[] = [];
    const conductors = [
      cluster.start("nova-conductor", "super-conductor", {
        ...top,
        OS_DEFAULT__HOST: "super-conductor",
        OS_DATABASE__CONNECTION: cell0Url,
      }),
      ...cells.map((c) =>
        cluster.start("nova-conductor", `conductor-${c.name}`, {
          ...top,
          OS_DEFAULT__HOST: `conductor-${c.name}`,
          OS_DEFAULT__TRANSPORT_URL: c.vhost.transportUrl,
          OS_DATABASE__CONNECTION: c.dbUrl,
        }),
      ),
    ];
    await Promise.all(conductors.map((p) => cluster.started(p, 120_000)));

    // FARMS processes of computes whatever the layout: with one cell they all serve cell1.
    const perCellFarms = Math.max(1, Math.floor(FARMS / cellCount));
    for (const c of cells) {
      const split = splitHosts(c.hosts, perCellFarms);
      let first = 1;
      split.forEach((n, f) => {
        if (n === 0) return;
        farms.push(
          startFarm(
            cluster.confPath,
            `farm-${c.name}-${f + 1}`,
            {
              OS_DEFAULT__TRANSPORT_URL: c.vhost.transportUrl,
              BENCH_FARM_HOSTS: `${c.name}-cpu-:${first}:${n}`,
              // Hundreds of computes finish their last resource tracker pass and heartbeat on a loaded machine.
              OS_DEFAULT__GRACEFUL_SHUTDOWN_TIMEOUT: "300",
              // A boot's compute side (claim, spawn) is logged at info only when someone will read it.
              ...(opts.logDir ? { BENCH_FARM_LOG_LEVEL: "info" } : {}),
            },
            logFile(cellCount, `farm-${c.name}-${f + 1}`),
          ),
        );
        first += n;
      });
    }
    const upTimeout = 120_000 + opts.hosts * 600;
    await cluster
      .until(
        `${farms.length} compute farms (${opts.hosts} computes) up`,
        async () => {
          for (const f of farms) {
            if (f.child.exitCode !== null)
              throw new Error(`${f.name} exited:\n${f.output.join("").slice(-3000)}`);
          }
          return farms.every((f) => /compute farm up/.test(f.output.join(""))) ? true : undefined;
        },
        upTimeout,
      )
      .catch((err: unknown) => {
        for (const f of farms) console.error(`--- ${f.name}\n${f.output.join("").slice(-3000)}`);
        throw err;
      });
    await cluster.manage("cell_v2", "discover_hosts");
    const mapped = (await apiDb.mappings.listHostMappings()).length;
    if (mapped !== opts.hosts)
      throw new Error(`discover_hosts mapped ${mapped} hosts, expected ${opts.hosts}`);

    // The scheduler loads every cell's host states at start: started once the hosts are there.
    const anyCell = { ...top, OS_DATABASE__CONNECTION: cells[0]!.dbUrl };
    const scheduler = cluster.start("nova-scheduler", "scheduler", {
      OS_DEFAULT__HOST: "scheduler-1",
      ...anyCell,
    });
    const api = cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1", ...anyCell });
    await Promise.all([cluster.started(scheduler, 120_000), cluster.started(api, 120_000)]);
    for (const p of cluster.procs) if (p.child.pid) sampled.push({ name: p.name, pid: p.child.pid });
    for (const f of farms) if (f.child.pid) sampled.push({ name: f.name, pid: f.child.pid });
    sampled.push(...serverPids());

    const client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
    const setupSeconds = (performance.now() - t0) / 1000;
    log(
      `${cellCount} cell(s) up in ${setupSeconds.toFixed(0)} s: ${opts.hosts} computes in ${farms.length} farms ` +
        `(${cells.map((c) => `${c.name} ${c.hosts}`).join(", ")}), mapped by discover_hosts`,
    );

    // Untimed warm-up: every process compiles its hot paths on the first boots.
    const warm = (await offer(client, `warm${cellCount}`, 2, 10)).result;
    log(
      `warm-up: ${warm.timesToActive.length}/${warm.posted} ACTIVE, p95 ${percentile(warm.timesToActive, 95).toFixed(2)} s`,
    );

    const steps: StepReport[] = [];
    for (const rate of opts.rates) {
      const counters = async () => ({
        at: performance.now(),
        vhosts: await Promise.all(meters.map((m) => vhostCounters(m.vhost))),
        users: await userCounters(stats),
        cpu: sampled.map((s) => cpuSeconds(s.pid)),
      });
      const before = await counters();
      const offered = await offer(client, `r${rate}`, rate, opts.seconds);
      const step = offered.result;
      const after = await counters();
      const split = await splitTimes(stats, cells, offered);
      const secs = (after.at - before.at) / 1000;
      const figures = stepFigures(step, opts.p95Bound);
      const load: CellLoad[] = meters.map((m, i) => {
        const u0 = before.users.get(m.dbUser) ?? { queries: 0, busy: 0 };
        const u1 = after.users.get(m.dbUser) ?? { queries: 0, busy: 0 };
        return {
          cell: m.name,
          published: ratePerSecond(before.vhosts[i]!.published, after.vhosts[i]!.published, secs),
          delivered: ratePerSecond(before.vhosts[i]!.delivered, after.vhosts[i]!.delivered, secs),
          queries: ratePerSecond(u0.queries, u1.queries, secs),
          dbBusy: ratePerSecond(u0.busy, u1.busy, secs),
        };
      });
      const cpu = sampled.map((s, i): [string, number] => [
        s.name,
        ratePerSecond(before.cpu[i]!, after.cpu[i]!, secs),
      ]);
      steps.push({ figures, step, cells: load, cpu, split });
      printStep(cellCount, steps.at(-1)!);
      if (!figures.sustained) break;
    }

    for (const f of farms) f.child.kill("SIGTERM");
    const farmCodes = await Promise.all(farms.map((f) => f.exited));
    const codes = await cluster.stopAll();
    const unclean = [
      ...codes,
      ...farms.map((f, i): [string, number | null] => [f.name, farmCodes[i]!]),
    ].filter(([, c]) => c !== 0);
    if (unclean.length > 0) log(`unclean exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(", ")}`);
    for (const [i, f] of farms.entries())
      if (farmCodes[i] !== 0) console.error(`--- ${f.name}\n${f.output.join("").slice(-2000)}`);
    if (opts.keepLogs) console.error(cluster.logs(4000));
    return { cells: cellCount, steps, setupSeconds };
  } catch (err) {
    console.error(cluster.logs(4000));
    throw err;
  } finally {
    // The services' whole output, beside the farms' streamed logs (failure or not: a failed step is the one
    // worth following).
    for (const p of cluster.procs) {
      const file = logFile(cellCount, p.name);
      if (file) writeFileSync(file, p.output.join(""));
    }
    for (const f of farms) if (f.child.exitCode === null) f.child.kill("SIGKILL");
    await apiDb?.close();
    await cluster.dispose();
    for (const undo of cleanup.reverse()) await undo().catch((e: unknown) => log(`clean-up: ${String(e)}`));
  }
}

// --- output -----------------------------------------------------------------------------------------------

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "-");

function printStep(cells: number, r: StepReport): void {
  const { figures: f, step: s } = r;
  console.log(
    `${cells} cell(s), offered ${f1(f.offered)}/s: ${s.timesToActive.length}/${s.posted} ACTIVE ` +
      `(${s.errors} error, ${s.unfinished} unfinished), completed ${f1(f.completedPerSecond)} boots/s, ` +
      `p50 ${f2(f.p50)} s, p95 ${f2(f.p95)} s ${f.sustained ? "(sustained)" : "(saturated)"}`,
  );
  for (const c of r.cells)
    console.log(
      `    ${c.cell}: broker ${f1(c.published)} msgs/s published, ${f1(c.delivered)} delivered; ` +
        `database ${f1(c.queries)} queries/s, ${f2(c.dbBusy)} s busy per s`,
    );
  console.log(`    CPU (cores): ${r.cpu.map(([n, c]) => `${n} ${f2(c)}`).join(", ")}`);
  console.log(
    `    medians: POST -> created in its cell (top level) ${f1(r.split.top)} s, -> launched (cell) ` +
      `${f1(r.split.cell)} s, -> ACTIVE seen by the poll ${f1(r.split.seen)} s (whole-second timestamps)`,
  );
}

function printSummary(reports: LayoutReport[]): void {
  console.log("");
  console.log(
    `bench/cells: ${opts.hosts} simulated computes, ${opts.seconds} s per step, p95 bound ${opts.p95Bound} s, ` +
      `report_interval ${opts.reportInterval} s, spawn_delay ${opts.spawnDelay} s`,
  );
  console.log(
    "| layout | highest sustained offered | completed boots/s | p50 | p95 | per-cell broker msgs/s | per-cell queries/s | top level msgs/s, queries/s | first saturated step |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of reports) {
    const figures = r.steps.map((s) => s.figures);
    const best = sustainedStep(figures);
    const bestReport = r.steps.find((s) => s.figures === best);
    const saturated = r.steps.find((s) => !s.figures.sustained);
    console.log(
      `| ${r.cells} cell(s) | ${best ? f1(best.offered) : "none"} | ${best ? f1(best.completedPerSecond) : "-"} | ` +
        `${best ? f2(best.p50) : "-"} s | ${best ? f2(best.p95) : "-"} s | ` +
        `${
          bestReport
            ? bestReport.cells
                .slice(1)
                .map((c) => f1(c.published))
                .join(" / ")
            : "-"
        } | ` +
        `${
          bestReport
            ? bestReport.cells
                .slice(1)
                .map((c) => f1(c.queries))
                .join(" / ")
            : "-"
        } | ` +
        `${bestReport ? `${f1(bestReport.cells[0]!.published)}, ${f1(bestReport.cells[0]!.queries)}` : "-"} | ` +
        `${saturated ? `${f1(saturated.figures.offered)}/s: p95 ${f2(saturated.figures.p95)} s` : "none (raise --rates)"} |`,
    );
  }
  const base = reports.find((r) => r.cells === 1);
  for (const r of reports) {
    if (!base || r === base) continue;
    const ratio = scalingRatio(
      base.steps.map((s) => s.figures),
      r.steps.map((s) => s.figures),
    );
    console.log(
      ratio
        ? `${r.cells} cells / 1 cell at p95 <= ${opts.p95Bound} s: ${ratio.atLeast ? ">= " : ""}${f2(ratio.ratio)}x ` +
            "(issue 15's target: 2.5x)"
        : `${r.cells} cells / 1 cell: no ratio (a layout sustained none of the offered rates)`,
    );
  }
  console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
}

async function main(o: CellsBenchOptions): Promise<void> {
  log(`load average at the start: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
  const stats = await mysql.createConnection({ ...defaultMariaDb });
  // USER_STATISTICS counts only while userstat is on; it is put back as it was.
  const [[{ enabled: on }]] = (await stats.query("SELECT @@global.userstat AS enabled")) as unknown as [
    [{ enabled: number }],
  ];
  if (!on) await stats.query("SET GLOBAL userstat = 1");
  const reports: LayoutReport[] = [];
  try {
    for (const cells of o.layouts) reports.push(await runLayout(cells, stats));
  } finally {
    if (!on) await stats.query("SET GLOBAL userstat = 0").catch(() => undefined);
    await stats.end();
  }
  printSummary(reports);
}

main(opts).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench/cells failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
