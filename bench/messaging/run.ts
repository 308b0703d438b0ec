// bench/messaging: @nova/messaging against raw amqplib and Python oslo.messaging 14 on the same broker, one run.
//   npx tsx bench/messaging/run.ts            (BENCH_SECONDS=1 per round, BENCH_ROUNDS=3; ~1.5 min in all)
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type MessagingObserver, RpcClient, RpcServer, Transport } from "@nova/messaging";
import { createMessagingObserver, NovaMetrics, RequestScope } from "@nova/telemetry";
import { createTestVhost } from "@nova/testing";
import { context, propagation } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import amqp from "amqplib";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const CAST_WINDOW = 256;
const BODY = { value: { id: 1, name: "bench", tags: ["a", "b"] } };

type Call = () => Promise<unknown>;

async function throughput(call: Call, inFlight: number, seconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await call();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Sends for `seconds` with at most `window` unconfirmed, then waits until `handled()` caught up. */
async function pipelined(send: Call, handled: () => number, seconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: CAST_WINDOW }, async () => {
      while (performance.now() < deadline) {
        await send();
        sent += 1;
      }
    }),
  );
  while (handled() < sent) await new Promise((r) => setTimeout(r, 1));
  return sent / ((performance.now() - start) / 1000);
}

interface Side {
  call: Call;
  cast: Call;
  handled: () => number;
  close(): Promise<void>;
}

/** Raw amqplib: request/reply with correlation ids and a confirmed publish/consume, nothing else. */
async function rawSide(amqpUrl: string): Promise<Side> {
  const serverConn = await amqp.connect(amqpUrl, { noDelay: true });
  const clientConn = await amqp.connect(amqpUrl, { noDelay: true });
  const sch = await serverConn.createChannel();
  await sch.assertQueue("raw_rpc", { durable: false });
  await sch.consume("raw_rpc", (msg) => {
    if (!msg) return;
    sch.ack(msg);
    sch.sendToQueue(msg.properties.replyTo as string, msg.content, {
      correlationId: msg.properties.correlationId,
    });
  });
  const cch = await clientConn.createChannel();
  const { queue: replyQ } = await cch.assertQueue("", { exclusive: true });
  const waiting = new Map<string, () => void>();
  await cch.consume(
    replyQ,
    (msg) => {
      const id = msg?.properties.correlationId as string;
      waiting.get(id)?.();
      waiting.delete(id);
    },
    { noAck: true },
  );
  const body = Buffer.from(JSON.stringify(BODY));
  const pub = await clientConn.createConfirmChannel();
  await sch.assertQueue("raw_sink", { durable: false });
  let consumed = 0;
  await sch.consume("raw_sink", (msg) => {
    if (!msg) return;
    sch.ack(msg);
    consumed += 1;
  });
  return {
    call: () =>
      new Promise<void>((resolve) => {
        const id = randomUUID();
        waiting.set(id, resolve);
        cch.sendToQueue("raw_rpc", body, { correlationId: id, replyTo: replyQ });
      }),
    cast: () =>
      new Promise<void>((resolve, reject) => {
        pub.sendToQueue("raw_sink", body, {}, (err: unknown) => (err ? reject(err) : resolve()));
      }),
    handled: () => consumed,
    close: async () => {
      await clientConn.close();
      await serverConn.close();
    },
  };
}

/** @nova/messaging: two RpcServers on one topic, a client on its own transport. */
async function novaSide(
  transportUrl: string,
  observer?: MessagingObserver,
): Promise<Side & { fanout: Call; fanned: () => number }> {
  const serverSide = new Transport(transportUrl, observer ? { observer } : {});
  const clientSide = new Transport(transportUrl, observer ? { observer } : {});
  let sunk = 0;
  let fanned = 0;
  const servers = ["s1", "s2"].map(
    (name) =>
      new RpcServer(serverSide, { topic: "bench", server: name }, [
        {
          methods: {
            echo: (_c, { value }: { value: unknown }) => value,
            sink: () => {
              sunk += 1;
            },
            fan: () => {
              fanned += 1;
            },
          },
        },
      ]),
  );
  for (const s of servers) await s.start();
  const rpc = new RpcClient(clientSide, { topic: "bench" });
  const fanout = rpc.prepare({ fanout: true });
  return {
    call: () => rpc.call({ request_id: "req-bench" }, "echo", BODY),
    cast: () => rpc.cast({ request_id: "req-bench" }, "sink", BODY),
    handled: () => sunk,
    fanout: () => fanout.cast({}, "fan", BODY),
    fanned: () => fanned,
    close: async () => {
      for (const s of servers) await s.stop();
      await clientSide.close();
      await serverSide.close();
    },
  };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

/**
 * Metrics and tracing on (a recording tracer whose spans are dropped at export, the W3C propagator and the
 * AsyncLocalStorage context manager an app's SDK registers) against off, at 32 calls in flight, alternating.
 */
async function instrumentationCost(transportUrl: string, rounds: number) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const drop: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(drop)] });
  const observer = createMessagingObserver({
    metrics: new NovaMetrics("bench"),
    tracer: provider.getTracer("bench"),
    requestScope: new RequestScope(),
  });
  const plain = await novaSide(transportUrl);
  const observed = await novaSide(transportUrl, observer);
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < rounds; i++) {
    off.push(await throughput(plain.call, 32, SECONDS));
    on.push(await throughput(observed.call, 32, SECONDS));
  }
  await plain.close();
  await observed.close();
  context.disable();
  propagation.disable();
  return { off: median(off), on: median(on) };
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

async function main() {
  const vhost = await createTestVhost("bench-msg");
  try {
    console.error(
      `bench/messaging: raw and nova-ts in ${ROUNDS} alternating rounds (${SECONDS}s per throughput round, ` +
        `${SEQUENTIAL} sequential calls each), then oslo; load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
    const rawS = await rawSide(vhost.amqpUrl);
    const novaS = await novaSide(vhost.transportUrl);
    const m = await interleaved(rawS, novaS, ROUNDS);
    // Each fanout reaches both servers: count a fanout as handled when both got it.
    const fanRate = await pipelined(novaS.fanout, () => Math.floor(novaS.fanned() / 2), SECONDS);
    await rawS.close();
    await novaS.close();
    const cost = await instrumentationCost(vhost.transportUrl, ROUNDS);
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
    console.log("targets:");
    console.log(
      `  32 in flight >= 60% of raw request/reply: ${ratio(nova.rates[32]!, raw.rates[32]!)} ${nova.rates[32]! >= 0.6 * raw.rates[32]! ? "OK" : "MISSED"}`,
    );
    console.log(
      `  metrics+tracing cost <= 5% at 32 in flight: ${cost.on.toFixed(0)} vs ${cost.off.toFixed(0)} calls/s, ` +
        `${ratio(cost.on, cost.off)} ${cost.on >= 0.95 * cost.off ? "OK" : "MISSED"}; ` +
        `instrumented vs raw ${ratio(cost.on, raw.rates[32]!)}`,
    );
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
