// Property-based fuzz of the Compute API over the real backend (the all-in-one: DbComputeBackend on SQLite,
// the conductor, scheduler and fake computes in this process): thousands of hostile requests, zero 5xx, every
// 4xx a Nova fault body; afterwards a server still boots and no half-made server is left in the databases.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComputeClient, faultNameFor } from "@nova/client";
import { openApiDatabase, openCellDatabase } from "@nova/db";
import { createLogger } from "@nova/runtime";
import { cell0Url } from "@nova/runtime/databases";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllInOne, createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";
import { type FuzzRequest, type FuzzTargets, fuzzRequest } from "./fuzz-requests.js";

/** Requests per run; NOVA_FUZZ_RUNS raises it for a longer hunt, NOVA_FUZZ_SEED replays one. */
const RUNS = Number(process.env.NOVA_FUZZ_RUNS ?? 4000);
const SEED = process.env.NOVA_FUZZ_SEED ? Number(process.env.NOVA_FUZZ_SEED) : undefined;
/** Requests sent at once (the agent's socket count). */
const BATCH = 4;
const wait = { timeoutMs: 60_000, intervalMs: 100 };

interface Answer {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

let dataDir: string;
let aio: AllInOne;
let client: ComputeClient;
let targets: FuzzTargets;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(port: number, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // An explicit length: without one node sends a GET's body unframed, and the server reads it as the next
    // request on the connection (the client's mistake, not the API's).
    const headers = r.body ? { ...r.headers, "Content-Length": String(r.body.length) } : r.headers;
    const req = request(
      { host: "127.0.0.1", port, method: r.method, path: r.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

// Nova answers a hypervisor's uptime with 501 (its feature-not-supported fault) when the driver can't tell it,
// as its fake driver and ours can't: a deliberate answer, checked for Nova's fault body like a 4xx. The path may
// carry a project id after /v2.1.
const UPTIME_ROUTE = /^\/v2\.1(\/[^/?]+)?\/os-hypervisors\/[^/?]+\/uptime(\?|$)/;

/** What is wrong with the answer, or undefined: no 5xx but that 501, and every 4xx carries Nova's fault body. */
function violation(r: FuzzRequest, a: Answer): string | undefined {
  const deliberate501 = a.status === 501 && r.method === "GET" && UPTIME_ROUTE.test(r.path);
  if (a.status >= 500 && !deliberate501) return `answered ${a.status}: ${a.body.toString().slice(0, 300)}`;
  if (a.status < 400 || r.method === "HEAD") return undefined;
  let body: unknown;
  try {
    body = JSON.parse(a.body.toString());
  } catch {
    return `a ${a.status} whose body is not JSON: ${a.body.toString().slice(0, 200)}`;
  }
  const name = faultNameFor(a.status);
  const keys = body && typeof body === "object" ? Object.keys(body) : [];
  const detail = (body as Record<string, { code?: unknown; message?: unknown }>)[name];
  if (keys.length !== 1 || !detail || detail.code !== a.status || typeof detail.message !== "string")
    return `a ${a.status} without Nova's {"${name}": {code, message}} body: ${a.body.toString().slice(0, 200)}`;
  return undefined;
}

/**
 * An admin's writes that could take away what the final boot needs (disable or delete the computes, delete
 * flavor 1 or give it extra specs no host matches, set a quota or the default quota class to 0, put the hosts
 * into an aggregate, and so into its zone or metadata) go to an id that does not exist; a member's still reach
 * the real ids and their policy checks. The other aggregate writes stay real: without hosts an aggregate's
 * zone and metadata change nothing the scheduler reads.
 */
const GUARDED = /\/(os-services|flavors|os-quota-sets|os-quota-class-sets)\/[^/?]*/;
const GUARDED_ACTION = /\/os-aggregates\/[^/?]*\/action/;

function harmless(r: FuzzRequest): FuzzRequest {
  const write = r.method !== "GET" && r.method !== "HEAD";
  const admin = (r.headers["X-Auth-Token"] ?? "admin").startsWith("admin");
  if (!write || !admin) return r;
  if (GUARDED_ACTION.test(r.path) && r.body?.includes("add_host"))
    return { ...r, path: r.path.replace(GUARDED_ACTION, "/os-aggregates/4242/action") };
  if (GUARDED.test(r.path)) return { ...r, path: r.path.replace(GUARDED, "/$1/4242") };
  return r;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "nova-fuzz-"));
  aio = await createAllInOne({
    dataDir,
    apiPort: 0,
    env: { OS_DEFAULT__REPORT_INTERVAL: "1", OS_FAKE__HOST_COUNT: "2" },
    logger: createLogger("nova-fuzz", { level: "fatal" }),
  });
  for (const s of aio.services) await s.start();
  client = new ComputeClient({ endpoint: `http://127.0.0.1:${aio.apiPort()}/v2.1`, token: "admin:admin" });
  const server = await client.createServer({ name: "target", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
  await client.waitForServerStatus(server.id, "ACTIVE", wait);
  const key = (await client.request("POST", "/os-keypairs", { body: { keypair: { name: "fuzz-key" } } }))
    .body as { keypair: { name: string } };
  const hypervisors = (await client.request("GET", "/os-hypervisors")).body as {
    hypervisors: Array<{ id: number | string }>;
  };
  const aggregate = (
    await client.request("POST", "/os-aggregates", { body: { aggregate: { name: "fuzz-aggregate" } } })
  ).body as { aggregate: { id: number } };
  const group = (
    await client.request("POST", "/os-server-groups", {
      body: { server_group: { name: "fuzz-group", policies: ["anti-affinity"] } },
    })
  ).body as { server_group: { id: string } };
  targets = {
    serverId: server.id,
    imageId: DEFAULT_IMAGE_ID,
    keyName: key.keypair.name,
    hypervisorId: String(hypervisors.hypervisors[0]?.id ?? "1"),
    aggregateId: String(aggregate.aggregate.id),
    serverGroupId: group.server_group.id,
  };
}, 60_000);

afterAll(async () => {
  agent.destroy();
  if (aio) {
    for (const s of [...aio.services].reverse()) await s.stop();
    await aio.cleanup();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("the Compute API under property-based fuzzing (all-in-one, SQLite)", () => {
  it("answers thousands of hostile requests without a 5xx, each 4xx with Nova's fault body", async () => {
    const port = aio.apiPort();
    let slowest = { ms: 0, request: "" };
    const statuses = new Map<number, number>();
    let sent = 0;
    // Requests go in concurrent batches: handlers also meet each other (two deletes of one server, a create
    // racing the quota), not only odd input.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fuzzRequest(targets), { minLength: BATCH, maxLength: BATCH }),
        async (batch) => {
          const wrong = await Promise.all(
            batch.map(async (generated) => {
              const r = harmless(generated);
              const started = performance.now();
              const answer = await send(port, r);
              const ms = performance.now() - started;
              sent++;
              if (ms > slowest.ms) slowest = { ms, request: `${r.method} ${r.path}` };
              statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
              const why = violation(r, answer);
              return why && `${r.method} ${r.path} ${JSON.stringify(r.headers)}: ${why}`;
            }),
          );
          const first = wrong.find(Boolean);
          if (first) throw new Error(first);
        },
      ),
      {
        numRuns: Math.ceil(RUNS / BATCH),
        ...(SEED !== undefined ? { seed: SEED } : {}),
        endOnFailure: false,
      },
    );
    // The issue asks for no request over a second; this machine is too noisy to assert a time, so report it.
    console.log(
      `fuzz: ${sent} requests; slowest ${slowest.ms.toFixed(1)} ms (${slowest.request.slice(0, 120)}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    // The run reached the handlers, not only the router's 404s.
    expect([...statuses.keys()].filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 50);
  }, 240_000);

  it("still boots a server to ACTIVE afterwards, and leaves no half-made server in the databases", async () => {
    // Servers the fuzz created (near-valid bodies) settle first, then are deleted, so quota cannot refuse
    // the boot below and every build has finished before the databases are read.
    const settle = async () => {
      for (let i = 0; i < 600; i++) {
        const { servers } = (await client.request("GET", "/servers/detail", { query: { all_tenants: "1" } }))
          .body as {
          servers: Array<{ id: string; status: string; "OS-EXT-STS:task_state"?: string | null }>;
        };
        if (servers.every((s) => s.status !== "BUILD" && s["OS-EXT-STS:task_state"] == null)) return servers;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("servers did not settle");
    };
    for (const s of await settle()) await client.deleteServer(s.id).catch(() => undefined);
    await settle();

    const created = await client.createServer({ name: "after", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    const active = await client.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(active["OS-EXT-STS:vm_state"]).toBe("active");

    const apiUrl = `sqlite:///${join(dataDir, "nova_api.sqlite")}`;
    const cellUrl = `sqlite:///${join(dataDir, "nova.sqlite")}`;
    const apiDb = openApiDatabase(apiUrl);
    const cells = [openCellDatabase(cellUrl), openCellDatabase(cell0Url(cellUrl))];
    try {
      const q = apiDb.db.kysely;
      const mappings = await q.selectFrom("instance_mappings").select(["instance_uuid", "cell_id"]).execute();
      const buildRequests = await q.selectFrom("build_requests").select("instance_uuid").execute();
      const specs = await q.selectFrom("request_specs").select("instance_uuid").execute();
      const instances = new Set<string>();
      for (const cell of cells) {
        for (const row of await cell.db.kysely.selectFrom("instances").select("uuid").execute())
          instances.add(row.uuid);
      }
      const mapped = new Set(mappings.map((m) => m.instance_uuid));
      // Every mapping points at a cell and at an instance there (deleted ones stay until archived).
      expect(mappings.filter((m) => m.cell_id === null || !instances.has(m.instance_uuid))).toEqual([]);
      // Every build has left its build request behind once scheduled (or buried in cell0).
      expect(buildRequests).toEqual([]);
      // No request spec or instance without its mapping.
      expect(specs.filter((s) => !mapped.has(s.instance_uuid))).toEqual([]);
      expect([...instances].filter((u) => !mapped.has(u))).toEqual([]);
    } finally {
      await apiDb.close();
      for (const c of cells) await c.close();
    }
  }, 120_000);
});
