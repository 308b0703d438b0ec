// Calls/s at 32 in flight for any set of worker configurations, in interleaved rounds whose order rotates, each
// as a ratio to the first: for the questions flight32's three fixed configurations don't answer (one part of
// the instrumentation, a sampler, an AsyncLocalStorage alone, another checkout of the code).
//
//   npx tsx bench/messaging/compare.ts NAME=MODE[@TREE][:KEY=VALUE[;KEY=VALUE...]] ...
//
// MODE is in-flight-worker.ts's raw, off or on; TREE another checkout (with its own node_modules) whose worker
// runs instead of this one; KEY=VALUE environment for that worker only (BENCH_PARTS, OTEL_TRACES_SAMPLER,
// BENCH_ALS). Each configuration gets its own vhost and process. COMPARE_ROUNDS (21), COMPARE_SECONDS (2).
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createTestVhost } from "@nova/testing";
import { median } from "./sides.js";

const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 21);
const SECONDS = Number(process.env.COMPARE_SECONDS ?? 2);

interface Config {
  name: string;
  mode: string;
  tree: string | undefined;
  env: Record<string, string>;
}

/** `NAME=MODE[@TREE][:KEY=VALUE;...]`. */
function parseConfig(arg: string): Config {
  const m = /^([^=]+)=(raw|off|on)(?:@([^:]+))?(?::(.*))?$/.exec(arg);
  if (!m) throw new Error(`not NAME=MODE[@TREE][:KEY=VALUE;...]: ${arg}`);
  const env: Record<string, string> = {};
  for (const pair of (m[4] ?? "").split(";").filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${pair}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { name: m[1]!, mode: m[2]!, tree: m[3], env };
}

interface Worker {
  config: Config;
  child: ChildProcessByStdio<Writable, Readable, null>;
  next(): Promise<string>;
  rates: number[];
  cpuUs: number[];
  ratios: number[];
}

async function startWorker(config: Config, amqpUrl: string, transportUrl: string): Promise<Worker> {
  const script = config.tree
    ? `${config.tree}/bench/messaging/in-flight-worker.ts`
    : fileURLToPath(new URL("./in-flight-worker.ts", import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, config.mode, amqpUrl, transportUrl], {
    cwd: config.tree ?? process.cwd(),
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...config.env },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`worker ${config.name} exited`);
    return value as string;
  };
  if ((await next()) !== "READY") throw new Error(`worker ${config.name} did not start`);
  return { config, child, next, rates: [], cpuUs: [], ratios: [] };
}

const configs = process.argv.slice(2).map(parseConfig);
if (configs.length < 2) throw new Error("usage: compare.ts NAME=MODE[@TREE][:KEY=VALUE;...] (two or more)");
const vhosts: Array<Awaited<ReturnType<typeof createTestVhost>>> = [];
const workers: Worker[] = [];
try {
  for (const config of configs) {
    const vhost = await createTestVhost("bench-compare");
    vhosts.push(vhost);
    workers.push(await startWorker(config, vhost.amqpUrl, vhost.transportUrl));
  }
  for (let round = 0; round < ROUNDS; round++) {
    const rates: number[] = [];
    for (let k = 0; k < workers.length; k++) {
      const i = (k + round) % workers.length;
      const w = workers[i]!;
      w.child.stdin.write(`32 ${SECONDS}\n`);
      const { rate, cpuUs } = JSON.parse(await w.next()) as { rate: number; cpuUs: number };
      w.rates.push(rate);
      w.cpuUs.push(cpuUs);
      rates[i] = rate;
    }
    for (const [i, w] of workers.entries()) w.ratios.push(rates[i]! / rates[0]!);
  }
  const base = configs[0]!.name;
  console.log(`32 calls in flight, ${ROUNDS} rounds of ${SECONDS}s, order rotating; ratios to ${base}`);
  console.log("| configuration | calls/s (median) | vs first (median of rounds) | cost | CPU µs/call |");
  console.log("|---|---|---|---|---|");
  for (const w of workers) {
    const ratio = median(w.ratios);
    console.log(
      `| ${w.config.name} | ${Math.round(median(w.rates)).toLocaleString("en-US")} | ${ratio.toFixed(3)} | ` +
        `${(100 * (1 - ratio)).toFixed(1)}% | ${Math.round(median(w.cpuUs))} |`,
    );
  }
} finally {
  for (const w of workers) {
    w.child.stdin.end();
    if (w.child.exitCode === null) await new Promise((r) => w.child.once("exit", r));
  }
  for (const v of vhosts) await v.dispose();
}
