// bench/boot: boots servers through any Compute API endpoint and prints the time to ACTIVE, throughput,
// delete rate and list latency, beside the figures of the real Python Nova (Zed) measured on this kind of
// machine (quoted in issue 6: those were not measured in this run, and the table says so).
//
//   npx tsx bench/boot/run.ts --endpoint http://127.0.0.1:8774/v2.1 [--count 200] [--concurrency 20]
//        [--sequential 20] [--warmup 1] [--seq-poll-ms 5] [--poll-ms 50] [--token admin:admin]
//        [--flavor NAME|ID] [--image ID]
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    endpoint: { type: "string", default: "http://127.0.0.1:8774/v2.1" },
    token: { type: "string", default: "admin:admin" },
    count: { type: "string", default: "200" },
    concurrency: { type: "string", default: "20" },
    sequential: { type: "string", default: "20" },
    warmup: { type: "string", default: "1" },
    flavor: { type: "string" },
    image: { type: "string" },
    "poll-ms": { type: "string", default: "50" },
    "seq-poll-ms": { type: "string", default: "5" },
    "timeout-s": { type: "string", default: "600" },
  },
});

const endpoint = opts.endpoint.replace(/\/+$/, "");
const count = Number(opts.count);
const concurrency = Number(opts.concurrency);
const sequential = Number(opts.sequential);
const pollMs = Number(opts["poll-ms"]);
// One server at a time, a 50 ms poll alone would add 25 ms on average to each sample: poll finely there.
const seqPollMs = Number(opts["seq-poll-ms"]);
const warmup = Number(opts.warmup);
const timeoutMs = Number(opts["timeout-s"]) * 1000;

// The Python Nova figures from issue 6 (Zed, fake driver, 5 compute hosts, RabbitMQ + MariaDB, 2 cores).
const NOVA = {
  sequentialP50: 0.7,
  sequentialP95: 0.87,
  bootRate: 0.76,
  deleteRate: 1.57,
  detailP50: 0.29,
};

const headers = {
  "x-auth-token": opts.token,
  "content-type": "application/json",
  "openstack-api-version": "compute 2.37",
};

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${endpoint}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

async function pickFlavorAndImage(): Promise<{ flavorRef: string; imageRef: string }> {
  const flavors = (await api("GET", "/flavors/detail")).json?.flavors ?? [];
  if (flavors.length === 0) throw new Error("the endpoint lists no flavors");
  const flavor =
    flavors.find((f: any) => f.id === opts.flavor || f.name === opts.flavor) ??
    [...flavors].sort((a: any, b: any) => a.ram - b.ram || a.vcpus - b.vcpus)[0];
  let imageRef = opts.image;
  if (!imageRef) {
    // The image proxy exists up to 2.35: ask for it at the base microversion.
    const res = await fetch(`${endpoint}/images`, { headers: { "x-auth-token": opts.token } });
    const images = ((await res.json()) as any)?.images ?? [];
    if (images.length === 0) throw new Error("no image found: pass --image ID");
    imageRef = images[0].id as string;
  }
  return { flavorRef: flavor.id, imageRef };
}

/** Boots one server and waits for ACTIVE; returns seconds from POST to ACTIVE. */
async function bootOne(
  name: string,
  refs: { flavorRef: string; imageRef: string },
  every = pollMs,
): Promise<{ id: string; s: number }> {
  const t0 = now();
  const res = await api("POST", "/servers", { server: { name, ...refs, networks: "none" } });
  if (res.status !== 202) throw new Error(`POST /servers: ${res.status} ${JSON.stringify(res.json)}`);
  const id = res.json.server.id as string;
  for (;;) {
    const got = await api("GET", `/servers/${id}`);
    const status = got.json?.server?.status;
    if (status === "ACTIVE") return { id, s: (now() - t0) / 1000 };
    if (status === "ERROR")
      throw new Error(`server ${id} went to ERROR: ${JSON.stringify(got.json.server.fault)}`);
    if (now() - t0 > timeoutMs)
      throw new Error(`server ${id} not ACTIVE after ${timeoutMs / 1000}s (${status})`);
    await sleep(every);
  }
}

async function deleteOne(id: string, every = pollMs): Promise<void> {
  const t0 = now();
  const res = await api("DELETE", `/servers/${id}`);
  if (res.status !== 204 && res.status !== 404) throw new Error(`DELETE ${id}: ${res.status}`);
  for (;;) {
    const got = await api("GET", `/servers/${id}`);
    if (got.status === 404 || got.json?.server?.status === "DELETED") return;
    if (now() - t0 > timeoutMs) throw new Error(`server ${id} not gone after ${timeoutMs / 1000}s`);
    await sleep(every);
  }
}

async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

async function main() {
  const refs = await pickFlavorAndImage();
  const stamp = Date.now().toString(36);

  // 1. One at a time, after `warmup` untimed boots (the first boot after the services start pays for
  // connections, declarations and JIT compilation on every hop; the figure is the steady state).
  for (let i = 0; i < warmup; i++) {
    const { id } = await bootOne(`bench-warmup-${stamp}-${i}`, refs, seqPollMs);
    await deleteOne(id, seqPollMs);
  }
  const seq: number[] = [];
  for (let i = 0; i < sequential; i++) {
    const { id, s } = await bootOne(`bench-seq-${stamp}-${i}`, refs, seqPollMs);
    seq.push(s);
    await deleteOne(id, seqPollMs);
  }

  // 2. `count` servers, `concurrency` requests in flight.
  const order: Array<{ id: string; s: number; startedAt: number }> = [];
  const t0 = now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const startedAt = now();
      const r = await bootOne(`bench-${stamp}-${i}`, refs);
      order.push({ ...r, startedAt });
    },
  );
  const bootWall = (now() - t0) / 1000;

  // 3. GET /servers/detail with them all there.
  const detail: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = now();
    const res = await api("GET", "/servers/detail");
    if (res.status !== 200) throw new Error(`GET /servers/detail: ${res.status}`);
    detail.push((now() - t) / 1000);
  }

  // 4. Delete them all, `concurrency` in flight.
  const d0 = now();
  await pool(order, concurrency, async (o) => deleteOne(o.id));
  const deleteWall = (now() - d0) / 1000;

  // Does a boot cost more once many instances are placed? Compare the first and last fifth, by start time.
  const byStart = [...order].sort((a, b) => a.startedAt - b.startedAt);
  const fifth = Math.max(1, Math.floor(byStart.length / 5));
  const early = percentile(
    byStart.slice(0, fifth).map((o) => o.s),
    50,
  );
  const late = percentile(
    byStart.slice(-fifth).map((o) => o.s),
    50,
  );

  const rows: Array<[string, string, string, string]> = [
    [
      "one at a time, POST to ACTIVE p50",
      `${percentile(seq, 50).toFixed(3)} s`,
      `${NOVA.sequentialP50} s`,
      `${(NOVA.sequentialP50 / percentile(seq, 50)).toFixed(1)}x`,
    ],
    [
      "one at a time, POST to ACTIVE p95",
      `${percentile(seq, 95).toFixed(3)} s`,
      `${NOVA.sequentialP95} s`,
      `${(NOVA.sequentialP95 / percentile(seq, 95)).toFixed(1)}x`,
    ],
    [
      `${count} servers, ${concurrency} in flight: p50 to ACTIVE`,
      `${percentile(
        order.map((o) => o.s),
        50,
      ).toFixed(3)} s`,
      "",
      "",
    ],
    [
      `${count} servers, ${concurrency} in flight: p95 to ACTIVE`,
      `${percentile(
        order.map((o) => o.s),
        95,
      ).toFixed(3)} s`,
      "",
      "",
    ],
    [
      `${count} servers, ${concurrency} in flight: servers/s`,
      (count / bootWall).toFixed(2),
      `${NOVA.bootRate}`,
      `${(count / bootWall / NOVA.bootRate).toFixed(1)}x`,
    ],
    [
      `delete ${count}, ${concurrency} in flight: servers/s`,
      (count / deleteWall).toFixed(2),
      `${NOVA.deleteRate}`,
      `${(count / deleteWall / NOVA.deleteRate).toFixed(1)}x`,
    ],
    [
      `GET /servers/detail with ${count} servers p50`,
      `${percentile(detail, 50).toFixed(3)} s`,
      `${NOVA.detailP50} s`,
      `${(NOVA.detailP50 / percentile(detail, 50)).toFixed(1)}x`,
    ],
    [
      "time to ACTIVE p50, first fifth vs last fifth booted",
      `${early.toFixed(3)} s / ${late.toFixed(3)} s`,
      "grows",
      `${(late / early).toFixed(2)} (1.0 = flat)`,
    ],
  ];
  console.log(`bench/boot against ${endpoint} (flavor ${refs.flavorRef}, image ${refs.imageRef})`);
  console.log(
    "Nova column: Python Nova Zed on this kind of machine, from issue 6 (not measured in this run).",
  );
  const w = [0, 1, 2, 3].map((c) =>
    Math.max(...rows.map((r) => r[c]!.length), ["figure", "nova-ts", "Nova", "ratio"][c]!.length),
  );
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i]!)).join(" | ")} |`;
  console.log(line(["figure", "nova-ts", "Nova", "ratio"]));
  console.log(`|${w.map((n) => "-".repeat(n + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((err) => {
  console.error(`bench/boot failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
