// bench/boot against nova-ts running as separate processes over the real RabbitMQ and MariaDB: creates a vhost
// and databases of its own, runs nova-manage (cell setup, flavors), lifts the admin project's quota, starts
// nova-conductor, nova-api, --computes nova-compute processes (fake driver, hosts bench-cpu-1..N) and
// nova-scheduler, waits until os-services lists them all up, runs bench/boot/run.ts against the endpoint
// (every other option is passed through), and tears everything down.
//
//   npx tsx bench/boot/cluster.ts [--computes 10] [--spawn-delay 0] [--keep-logs]
//        [--count 200] [--concurrency 20] [--sequential 20] [--warmup <computes>] ...   (run.ts's options)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ComputeClient } from "@nova/client";
import { openApiDatabase } from "@nova/db";
import { ProcessCluster } from "@nova/testing";

const { values: opts, tokens } = parseArgs({
  options: {
    computes: { type: "string", default: "10" },
    "spawn-delay": { type: "string", default: "0" },
    "keep-logs": { type: "boolean", default: false },
  },
  strict: false,
  tokens: true,
});
const computes = Number(opts.computes);
const spawnDelay = Number(opts["spawn-delay"]);
if (!Number.isInteger(computes) || computes < 1) throw new Error("--computes must be a positive integer");
if (!Number.isFinite(spawnDelay) || spawnDelay < 0) throw new Error("--spawn-delay must be >= 0 seconds");

// Everything that is not this script's own option goes to run.ts.
const own = new Set(["computes", "spawn-delay", "keep-logs"]);
const passThrough: string[] = [];
for (const t of tokens ?? []) {
  if (t.kind === "option" && !own.has(t.name)) {
    passThrough.push(t.rawName);
    if (t.value !== undefined) passThrough.push(t.value);
  } else if (t.kind === "positional") passThrough.push(t.value);
}

// The services were just started: each process compiles its hot paths on first use (a compute's first build
// took 70-230 ms against ~50 ms later). Unless told otherwise, one untimed boot per compute host first, so the
// one-at-a-time figures measure running services, as Nova's were.
if (!passThrough.includes("--warmup")) passThrough.push("--warmup", String(computes));

const root = fileURLToPath(new URL("../../", import.meta.url));
const log = (msg: string) => console.error(`[cluster] ${msg}`);

async function main(): Promise<number> {
  const t0 = performance.now();
  const cluster = await ProcessCluster.create({
    root,
    prefix: "bench",
    conf: {
      DEFAULT: { report_interval: 2, service_down_time: 10, rpc_response_timeout: 60 },
      fake: { spawn_delay: spawnDelay },
    },
    keepOutput: 200,
  });
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    log("interrupted: tearing down");
    void cluster.dispose().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    log(`vhost ${cluster.vhost.name}, databases ${cluster.apiDb.name} / ${cluster.cellDb.name}(_cell0)`);
    await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
    await cluster.createFlavor({ name: "m1.small", id: "2", ram: 2048, vcpus: 1, disk: 20 });
    // The bench boots more servers than Nova's default quota (10 instances, 20 cores) allows.
    const api = openApiDatabase(cluster.apiDb.url);
    try {
      for (const r of ["instances", "cores", "ram"] as const) await api.quotas.setLimit("admin", r, -1);
    } finally {
      await api.close();
    }

    await cluster.started(cluster.start("nova-conductor", "conductor", { OS_DEFAULT__HOST: "bench-ctl" }));
    const apiProc = cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "bench-ctl" });
    const hosts = Array.from({ length: computes }, (_, i) => `bench-cpu-${i + 1}`);
    for (const host of hosts) cluster.start("nova-compute", host, { OS_DEFAULT__HOST: host });
    await cluster.started(apiProc);
    const client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
    const upHosts = async (binary: string) =>
      (await client.listServices({ binary })).filter((s) => s.state === "up").map((s) => s.host);
    await cluster.until(
      `${computes} nova-compute up`,
      async () => ((await upHosts("nova-compute")).length === computes ? true : undefined),
      180_000,
    );
    // Started after the computes registered their nodes, the scheduler loads every host state at start.
    cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "bench-ctl" });
    await cluster.until(
      "nova-scheduler and nova-conductor up",
      async () =>
        (await upHosts("nova-scheduler")).length === 1 && (await upHosts("nova-conductor")).length === 1
          ? true
          : undefined,
      120_000,
    );
    log(
      `up in ${((performance.now() - t0) / 1000).toFixed(1)} s: nova-api, nova-conductor, nova-scheduler, ` +
        `${computes} nova-compute (fake driver, spawn_delay ${spawnDelay} s) over RabbitMQ and MariaDB`,
    );

    const args = ["--import", "tsx", "bench/boot/run.ts", "--endpoint", cluster.endpoint, ...passThrough];
    log(`node ${args.join(" ")}`);
    const bench = spawn(process.execPath, args, { cwd: root, stdio: "inherit" });
    const code = await new Promise<number>((resolve) => bench.once("exit", (c) => resolve(c ?? 1)));
    if (code !== 0 || opts["keep-logs"]) console.error(cluster.logs(4000));

    const codes = await cluster.stopAll();
    const unclean = codes.filter(([, c]) => c !== 0);
    log(
      unclean.length === 0
        ? `stopped ${codes.length} processes, all with exit code 0`
        : `unclean exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(", ")}`,
    );
    return code !== 0 ? code : unclean.length === 0 ? 0 : 1;
  } catch (err) {
    console.error(cluster.logs(4000));
    throw err;
  } finally {
    await cluster.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench/boot/cluster failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
