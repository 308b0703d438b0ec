// GET /servers/detail with 200 servers: @nova/api (over the in-memory fake backend) against the real
// Python Nova Zed API (SQLite, same machine, same run) and a bare node:http server sending the same
// bytes (the floor any HTTP API pays). Usage: npx tsx bench/api-detail/run.ts [servers=200] [requests=100]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApiServer } from "@nova/api";
import { FAKE_IMAGE_ID, FakeComputeBackend } from "@nova/api/test";
import { ComputeClient } from "@nova/client";
import { silentLogger } from "@nova/core";

const SERVERS = Number(process.argv[2] ?? 200);
const REQUESTS = Number(process.argv[3] ?? 100);
const TOKEN = "bench:6f70726f6a656374";
const IN_FLIGHT = 20;

interface Figures {
  p50: number;
  p95: number;
  perSecond: number;
  bytes: number;
}

async function measure(url: string, inFlight = IN_FLIGHT): Promise<Figures> {
  const get = async () => {
    const response = await fetch(url, { headers: { "X-Auth-Token": TOKEN } });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    return body.byteLength;
  };
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = await get();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    await get();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  // Throughput with IN_FLIGHT concurrent requests.
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < REQUESTS) await get();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    p50: times[Math.floor(times.length * 0.5)]!,
    p95: times[Math.floor(times.length * 0.95)]!,
    perSecond: REQUESTS / seconds,
    bytes,
  };
}

async function ours(): Promise<{ figures: Figures; body: string; close: () => Promise<void> }> {
  const backend = new FakeComputeBackend();
  const api = createApiServer({ backend, logger: silentLogger });
  const { port } = await api.listen(0);
  const endpoint = `http://127.0.0.1:${port}/v2.1`;
  const client = new ComputeClient({ endpoint, token: TOKEN });
  for (let i = 0; i < SERVERS; i++)
    await client.createServer({ name: `bench-${i}`, flavorRef: "1", imageRef: FAKE_IMAGE_ID });
  backend.settle();
  const body = await (
    await fetch(`${endpoint}/servers/detail`, { headers: { "X-Auth-Token": TOKEN } })
  ).text();
  const figures = await measure(`${endpoint}/servers/detail`);
  return { figures, body, close: () => api.close() };
}

async function bare(body: string): Promise<Figures> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const figures = await measure(`http://127.0.0.1:${port}/v2.1/servers/detail`);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return figures;
}

async function python(): Promise<Figures | string> {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import nova"], { stdio: "ignore" });
  if (probe.status !== 0) return "not installed (/usr/bin/python3 -c 'import nova' failed)";
  const port = 20000 + Math.floor(Math.random() * 20000);
  const script = join(fileURLToPath(new URL(".", import.meta.url)), "nova_api_server.py");
  const child: ChildProcess = spawn(
    "/usr/bin/python3",
    [script, join(tmpdir(), `nova-bench-${port}`), String(port), String(SERVERS)],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Python Nova did not start within 240 s")), 240_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("READY")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => reject(new Error(`Python Nova exited with ${code}`)));
    });
    return await measure(`http://127.0.0.1:${port}/v2.1/servers/detail`, 1);
  } finally {
    child.kill();
  }
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const mine = await ours();
const floor = await bare(mine.body);
await mine.close();
console.log(
  `GET /servers/detail, ${SERVERS} servers, ${REQUESTS} sequential requests; throughput with ${IN_FLIGHT} in flight`,
);
console.log(
  `  bare node:http, same bytes: p50 ${fmt(floor.p50)}  p95 ${fmt(floor.p95)}  ${floor.perSecond.toFixed(0)} req/s  (${floor.bytes} bytes)`,
);
console.log(
  `  @nova/api + fake backend:   p50 ${fmt(mine.figures.p50)}  p95 ${fmt(mine.figures.p95)}  ${mine.figures.perSecond.toFixed(0)} req/s  (${mine.figures.bytes} bytes)`,
);
console.log(`    = ${(mine.figures.p50 / floor.p50).toFixed(2)}x the bare server's p50`);
const nova = await python();
if (typeof nova === "string") console.log(`  Python Nova Zed: ${nova}`);
else {
  console.log(
    `  Python Nova Zed (SQLite):   p50 ${fmt(nova.p50)}  p95 ${fmt(nova.p95)}  ${nova.perSecond.toFixed(1)} req/s one at a time  (${nova.bytes} bytes)`,
  );
  console.log(`    @nova/api is ${(nova.p50 / mine.figures.p50).toFixed(1)}x faster at p50`);
}
