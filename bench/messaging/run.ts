// bench/messaging: @nova/messaging against raw amqplib and Python oslo.messaging 14 on the same broker, one run.
//   npx tsx bench/messaging/run.ts            (BENCH_SECONDS=1 per round, BENCH_ROUNDS=3; ~1.5 min in all)
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTestVhost } from "@nova/testing";
import { type FlightWorker, startFlightWorker } from "./flight-worker.js";
import { median, novaSide, pipelined, rawSide, type Side, throughput } from "./sides.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const FLIGHT_ROUNDS = Number(process.env.BENCH_FLIGHT_ROUNDS ?? 7);
const FLIGHT_SECONDS = Number(process.env.BENCH_FLIGHT_SECONDS ?? 2);
// `BENCH_ONLY=flight32`: only the 32-in-flight comparison of raw, instrumentation off and on.
const ONLY_FLIGHT = process.env.BENCH_ONLY === "flight32";

/**
 * Raw and nova measured in alternating rounds, so that load from other processes on this (shared) machine
 * hits both alike; each figure is the median of the rounds.
 */
async function interleaved(raw: Side, nova: Side, rounds: number) {
  const seq = { raw: [] as number[], nova: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const [side, out] of [
      [raw, seq.raw],
      [nova, seq.nova],
    ] as const) {
      for (let i = 0; i < 20; i++) await side.call();
      for (let i = 0; i < Math.ceil(SEQUENTIAL / rounds); i++) {
        const t0 = performance.now();
        await side.call();
        out.push(performance.now() - t0);
      }
    }
  }
  const pct = (xs: number[], p: number) =>
    xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  const rates = { raw: {} as Record<number, number>, nova: {} as Record<number, number> };
  for (const n of [1, 8, 32]) {
    const r: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < rounds; i++) {
      r.push(await throughput(raw.call, n, SECONDS));
      v.push(await throughput(nova.call, n, SECONDS));
    }
    rates.raw[n] = median(r);
    rates.nova[n] = median(v);
  }
  const castR: number[] = [];
  const castV: number[] = [];
  for (let i = 0; i < rounds; i++) {
    castR.push(await pipelined(raw.cast, raw.handled, SECONDS));
    castV.push(await pipelined(nova.cast, nova.handled, SECONDS));
  }
  return {
    raw: { p50: pct(seq.raw, 0.5), p99: pct(seq.raw, 0.99), rates: rates.raw, casts: median(castR) },
    nova: { p50: pct(seq.nova, 0.5), p99: pct(seq.nova, 0.99), rates: rates.nova, casts: median(castV) },
  };
}

type Config = "raw" | "off" | "on";

/** RabbitMQ's CPU seconds so far (utime + stime of beam.smp), when the broker runs on this machine. */
function brokerCpuSeconds(): number | undefined {
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let comm: string;
      try {
        comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      } catch {
        continue;
      }
      if (!comm.startsWith("beam")) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after "pid (comm) ".
      return (Number(fields[11]) + Number(fields[12])) / 100;
    }
  } catch {
    // Not Linux, or no broker here.
  }
  return undefined;
}

/**
 * Calls/s at 32 in flight for raw amqplib, @nova/messaging with no observer, and @nova/messaging with metrics,
 * spans and request ids as an app configures them, each in its own process, in `rounds` rounds whose order
 * rotates so that no configuration always runs first or last. Per round: the rate, this process's CPU per
 * call, the broker's CPU per call (other users of the broker count too) and the machine's load.
 */
async function flight32(amqpUrl: string, transportUrl: string, rounds: number, seconds: number) {
  const workers: Array<FlightWorker & { config: Config }> = [];
  for (const config of ["raw", "off", "on"] as const) {
    workers.push({ config, ...(await startFlightWorker({ mode: config }, amqpUrl, transportUrl)) });
  }
  const per: Record<Config, Array<{ rate: number; cpuUs: number; brokerUs: number }>> = {
    raw: [],
    off: [],
    on: [],
  };
  const loads: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < workers.length; i++) {
        const w = workers[(r + i) % workers.length]!;
        const b0 = brokerCpuSeconds();
        const t0 = performance.now();
        const m = await w.run(32, seconds);
        const b1 = brokerCpuSeconds();
        const calls = (m.rate * (performance.now() - t0)) / 1000;
        per[w.config].push({
          ...m,
          brokerUs: b0 === undefined || b1 === undefined ? Number.NaN : ((b1 - b0) * 1e6) / calls,
        });
      }
      loads.push(loadavg()[0]!);
    }
  } finally {
    for (const w of workers) await w.close();
  }
  const summary = (c: Config) => ({
    rate: median(per[c].map((x) => x.rate)),
    cpuUs: median(per[c].map((x) => x.cpuUs)),
    brokerUs: median(per[c].map((x) => x.brokerUs)),
  });
  // Paired per round (adjacent in time), which load swings disturb less than a ratio of medians.
  const paired = (a: Config, b: Config) => median(per[a].map((x, i) => x.rate / per[b][i]!.rate));
  return {
    raw: summary("raw"),
    off: summary("off"),
    on: summary("on"),
    offVsRaw: paired("off", "raw"),
    onVsRaw: paired("on", "raw"),
    onVsOff: paired("on", "off"),
    rounds: per,
    loads,
  };
}

async function osloBaseline(url: string) {
  const script = fileURLToPath(new URL("./oslo_baseline.py", import.meta.url));
  const server = spawn("/usr/bin/python3", [script, "server", "--url", url, "--topic", "pybench"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: server.stdout }).on("line", (l) => l === "READY" && resolve());
    server.on("exit", (code) => reject(new Error(`oslo server exited ${code}`)));
  });
  const out = await new Promise<string>((resolve, reject) => {
    const client = spawn(
      "/usr/bin/python3",
      [script, "client", "--url", url, "--topic", "pybench", "--seconds", String(SECONDS), "--calls", "500"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let text = "";
    client.stdout.on("data", (d: Buffer) => {
      text += d.toString();
    });
    client.on("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`oslo client exited ${code}`)),
    );
  });
  server.removeAllListeners("exit");
  server.stdin.end();
  await new Promise((r) => server.once("exit", r));
  return JSON.parse(out.trim().split("\n").at(-1)!) as {
    p50_ms: number;
    p99_ms: number;
    calls_per_s_1: number;
    calls_per_s_8: number;
    calls_per_s_32: number;
    casts_per_s: number;
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function printFlight32(f: Awaited<ReturnType<typeof flight32>>) {
  const us = (n: number) => (Number.isNaN(n) ? "-" : fmt(n));
  console.log(
    `32 calls in flight: ${FLIGHT_ROUNDS} rounds of ${FLIGHT_SECONDS}s per configuration, order rotating, ` +
      `each configuration in its own process; load average (1 min) after each round: ${f.loads.map((l) => l.toFixed(1)).join(" ")}`,
  );
  const header = [
    "configuration",
    "calls/s (median)",
    "vs raw (median of rounds)",
    "CPU µs/call",
    "broker CPU µs/call",
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  console.log(`| raw amqplib | ${fmt(f.raw.rate)} | 1.00x | ${us(f.raw.cpuUs)} | ${us(f.raw.brokerUs)} |`);
  console.log(
    `| @nova/messaging, instrumentation off | ${fmt(f.off.rate)} | ${f.offVsRaw.toFixed(2)}x | ${us(f.off.cpuUs)} | ${us(f.off.brokerUs)} |`,
  );
  console.log(
    `| @nova/messaging, metrics + tracing on | ${fmt(f.on.rate)} | ${f.onVsRaw.toFixed(2)}x | ${us(f.on.cpuUs)} | ${us(f.on.brokerUs)} |`,
  );
  const cost = (1 - f.onVsOff) * 100;
  console.log("");
  console.log("targets:");
  console.log(
    `  instrumented >= 0.60x raw at 32 in flight: ${f.onVsRaw.toFixed(2)}x ${f.onVsRaw >= 0.6 ? "OK" : "MISSED"}` +
      ` (uninstrumented ${f.offVsRaw.toFixed(2)}x)`,
  );
  console.log(
    `  metrics+tracing cost <= 5% of calls/s at 32 in flight: ${cost.toFixed(1)}% ${cost <= 5 ? "OK" : "MISSED"}` +
      ` (median of per-round on/off ratios; CPU per call ${us(f.on.cpuUs)} vs ${us(f.off.cpuUs)} µs)`,
  );
  console.log(
    `  per round (raw / off / on calls/s): ${f.rounds.raw.map((r, i) => `${fmt(r.rate)}/${fmt(f.rounds.off[i]!.rate)}/${fmt(f.rounds.on[i]!.rate)}`).join("  ")}`,
  );
}

async function main() {
  const vhost = await createTestVhost("bench-msg");
  try {
    if (ONLY_FLIGHT) {
      console.error(`bench/messaging (flight32 only): load average ${load()}`);
      printFlight32(await flight32(vhost.amqpUrl, vhost.transportUrl, FLIGHT_ROUNDS, FLIGHT_SECONDS));
      return;
    }
    console.error(
      `bench/messaging: raw and nova-ts in ${ROUNDS} alternating rounds (${SECONDS}s per throughput round, ` +
        `${SEQUENTIAL} sequential calls each), then 32 in flight with instrumentation off and on, then oslo; ` +
        `load average ${load()}`,
    );
    const rawS = await rawSide(vhost.amqpUrl);
    const novaS = await novaSide(vhost.transportUrl);
    const m = await interleaved(rawS, novaS, ROUNDS);
    // Each fanout reaches both servers: count a fanout as handled when both got it.
    const fanRate = await pipelined(novaS.fanout, () => Math.floor(novaS.fanned() / 2), SECONDS);
    await rawS.close();
    await novaS.close();
    const flight = await flight32(vhost.amqpUrl, vhost.transportUrl, FLIGHT_ROUNDS, FLIGHT_SECONDS);
    const oslo = await osloBaseline(vhost.transportUrl);
    const raw = { seq: { p50: m.raw.p50, p99: m.raw.p99 }, rates: m.raw.rates, publishConsume: m.raw.casts };
    const nova = {
      seq: { p50: m.nova.p50, p99: m.nova.p99 },
      rates: m.nova.rates,
      casts: m.nova.casts,
      fanRate,
    };
    const rows: Array<[string, string, string, string, string, string]> = [
      [
        "sequential call p50 (ms)",
        fmt(nova.seq.p50, 2),
        fmt(raw.seq.p50, 2),
        ratio(nova.seq.p50, raw.seq.p50),
        fmt(oslo.p50_ms, 2),
        ratio(nova.seq.p50, oslo.p50_ms),
      ],
      [
        "sequential call p99 (ms)",
        fmt(nova.seq.p99, 2),
        fmt(raw.seq.p99, 2),
        ratio(nova.seq.p99, raw.seq.p99),
        fmt(oslo.p99_ms, 2),
        ratio(nova.seq.p99, oslo.p99_ms),
      ],
      ...([1, 8, 32] as const).map((n): [string, string, string, string, string, string] => [
        `calls/s, ${n} in flight`,
        fmt(nova.rates[n]!),
        fmt(raw.rates[n]!),
        ratio(nova.rates[n]!, raw.rates[n]!),
        fmt(oslo[`calls_per_s_${n}` as "calls_per_s_1"]),
        ratio(nova.rates[n]!, oslo[`calls_per_s_${n}` as "calls_per_s_1"]),
      ]),
      [
        "confirmed casts/s (handled)",
        fmt(nova.casts),
        fmt(raw.publishConsume),
        ratio(nova.casts, raw.publishConsume),
        fmt(oslo.casts_per_s),
        ratio(nova.casts, oslo.casts_per_s),
      ],
      ["fanout casts/s (2 servers)", fmt(nova.fanRate), "-", "-", "-", "-"],
    ];
    const header = ["metric", "nova-ts", "raw amqplib", "vs raw", "oslo 14", "vs oslo"];
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
    console.log("");
    printFlight32(flight);
    console.log(
      `  p50 call latency <= 2x raw: ${ratio(nova.seq.p50, raw.seq.p50)} ${nova.seq.p50 <= 2 * raw.seq.p50 ? "OK" : "MISSED"}`,
    );
    console.log(
      `  confirmed casts >= 5x oslo: ${ratio(nova.casts, oslo.casts_per_s)} ${nova.casts >= 5 * oslo.casts_per_s ? "OK" : "MISSED"}`,
    );
  } finally {
    await vhost.dispose();
  }
}

await main();
