// Calls/s at 32 in flight for any set of worker configurations, in interleaved rounds whose order rotates, each
// as a ratio to the first: for the questions flight32's three fixed configurations don't answer (one part of
// the instrumentation, a sampler, an AsyncLocalStorage alone, another checkout of the code).
//
//   npx tsx bench/messaging/compare.ts NAME=MODE[@TREE][:KEY=VALUE[;KEY=VALUE...]] ...
//
// MODE is in-flight-worker.ts's raw, off or on; TREE another checkout (with its own node_modules) whose worker
// runs instead of this one; KEY=VALUE environment for that worker only (BENCH_PARTS, OTEL_TRACES_SAMPLER,
// BENCH_ALS). Each configuration gets its own vhost and process. COMPARE_ROUNDS (21), COMPARE_SECONDS (2).
import { createTestVhost } from "@nova/testing";
import { type FlightWorker, type FlightWorkerConfig, startFlightWorker } from "./flight-worker.js";
import { median } from "./sides.js";

const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 21);
const SECONDS = Number(process.env.COMPARE_SECONDS ?? 2);

interface Config extends FlightWorkerConfig {
  name: string;
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
  return { name: m[1]!, mode: m[2] as Config["mode"], ...(m[3] ? { tree: m[3] } : {}), env };
}

interface Worker extends FlightWorker {
  config: Config;
  rates: number[];
  cpuUs: number[];
  ratios: number[];
}

const configs = process.argv.slice(2).map(parseConfig);
if (configs.length < 2) throw new Error("usage: compare.ts NAME=MODE[@TREE][:KEY=VALUE;...] (two or more)");
const vhosts: Array<Awaited<ReturnType<typeof createTestVhost>>> = [];
const workers: Worker[] = [];
try {
  for (const config of configs) {
    const vhost = await createTestVhost("bench-compare");
    vhosts.push(vhost);
    const worker = await startFlightWorker(config, vhost.amqpUrl, vhost.transportUrl);
    workers.push({ ...worker, config, rates: [], cpuUs: [], ratios: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    const rates: number[] = [];
    for (let k = 0; k < workers.length; k++) {
      const i = (k + round) % workers.length;
      const w = workers[i]!;
      const { rate, cpuUs } = await w.run(32, SECONDS);
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
  for (const w of workers) await w.close();
  for (const v of vhosts) await v.dispose();
}
