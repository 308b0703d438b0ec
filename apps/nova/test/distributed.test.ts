// The five apps as separate processes over the real RabbitMQ and MariaDB: boot, NoValidHost, a compute killed
// mid-build, the conductor restarted mid-flow, and a clean SIGTERM of everything.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ComputeClient, type ServerWaitError } from "@nova/client";
import { openApiDatabase } from "@nova/db";
import {
  createTestDatabase,
  createTestVhost,
  defaultMariaDb,
  type TestDatabase,
  type TestVhost,
} from "@nova/testing";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const IMAGE_ID = "155d900f-4e14-4e4c-a73d-069cbf4541e6";
const wait = { timeoutMs: 45_000, intervalMs: 200 };

/** One spawned app: its output kept for diagnostics, its exit awaited. */
interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const procs: Proc[] = [];
let dir: string;
let conf: string;
let vhost: TestVhost;
let apiDbT: TestDatabase;
let cellDbT: TestDatabase;
let cell0Name: string;
let client: ComputeClient;

function startApp(app: string, name: string, env: Record<string, string> = {}, args: string[] = []): Proc {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "apps", app, "src/main.ts"), "--config-file", conf, ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const p = { name, child, output, exited };
  procs.push(p);
  return p;
}

async function stopApp(p: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 30_000));
  const code = await Promise.race([p.exited, timeout]);
  if (code === "timeout") {
    p.child.kill("SIGKILL");
    throw new Error(`${p.name} did not exit after ${signal}:\n${allLogs()}`);
  }
  return code;
}

function allLogs(): string {
  return procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-3000)}`).join("\n");
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}\n${allLogs()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function runManage(...args: string[]): Promise<string> {
  const p = startApp("nova-manage", `nova-manage ${args.join(" ")}`, {}, args);
  const code = await p.exited;
  procs.splice(procs.indexOf(p), 1);
  if (code !== 0) throw new Error(`nova-manage ${args.join(" ")} exited ${code}: ${p.output.join("")}`);
  return p.output.join("");
}

/** Waits until the process logged that its services started. */
async function started(p: Proc): Promise<void> {
  await until(`${p.name} to start`, async () =>
    /"msg":"started"/.test(p.output.join("")) ? true : undefined,
  );
}

/** Waits until the API lists the compute services of these hosts as up. */
async function computesUp(hosts: string[]): Promise<void> {
  await until(`${hosts.join(", ")} up`, async () => {
    const services = await client.listServices({ binary: "nova-compute" });
    const up = services.filter((s) => s.state === "up" && s.status === "enabled").map((s) => s.host);
    return hosts.every((h) => up.includes(h)) ? true : undefined;
  });
}

/** Waits for the server to leave BUILD (ACTIVE or ERROR) and returns it. */
async function settled(id: string, timeoutMs = 60_000) {
  return until(
    `server ${id} to leave BUILD`,
    async () => {
      const s = await client.getServer(id);
      return s.status === "ACTIVE" || s.status === "ERROR" ? s : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-dist-"));
  vhost = await createTestVhost("nova-dist");
  apiDbT = await createTestDatabase("dist_api");
  cellDbT = await createTestDatabase("dist_cell");
  cell0Name = `${cellDbT.name}_cell0`;
  const c = await mysql.createConnection({ ...defaultMariaDb });
  try {
    await c.query(`CREATE DATABASE \`${cell0Name}\` CHARACTER SET utf8mb4`);
  } finally {
    await c.end();
  }
  writeFileSync(
    join(dir, "images.json"),
    JSON.stringify({
      images: [
        {
          id: IMAGE_ID,
          name: "cirros",
          min_ram: 0,
          min_disk: 0,
          size: 21430272,
          properties: {},
          created_at: "2026-11-27T00:00:00Z",
        },
      ],
    }),
  );
  const port = await freePort();
  conf = join(dir, "nova.conf");
  writeFileSync(
    conf,
    [
      "[DEFAULT]",
      `transport_url = ${vhost.transportUrl}`,
      `state_path = ${dir}`,
      "report_interval = 1",
      "service_down_time = 3",
      "instance_build_timeout = 20",
      "rpc_response_timeout = 10",
      "osapi_compute_listen = 127.0.0.1",
      `osapi_compute_listen_port = ${port}`,
      "compute_driver = fake.FakeDriver",
      "[api_database]",
      `connection = ${apiDbT.url}`,
      "[database]",
      `connection = ${cellDbT.url}`,
      "[fake]",
      "vcpus = 8",
      "memory_mb = 8192",
      "local_gb = 200",
      "spawn_delay = 1",
      "",
    ].join("\n"),
  );
  await runManage("cell_v2", "simple_cell_setup");
  const api = openApiDatabase({ connection: apiDbT.url });
  try {
    await api.flavors.create({ flavorid: "1", name: "m1.tiny", memory_mb: 512, vcpus: 1, root_gb: 1 });
    await api.flavors.create({ flavorid: "huge", name: "huge", memory_mb: 40_000, vcpus: 1, root_gb: 1 });
  } finally {
    await api.close();
  }
  // nova-compute retries its first conductor call until one answers (each try waits rpc_response_timeout),
  // so starting the conductor and scheduler first only keeps the suite short.
  await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" }));
  await started(startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" }));
  startApp("nova-compute", "compute-1", { OS_DEFAULT__HOST: "compute-1" });
  startApp("nova-compute", "compute-2", { OS_DEFAULT__HOST: "compute-2" });
  startApp("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
  client = new ComputeClient({ endpoint: `http://127.0.0.1:${port}/v2.1`, token: "admin:admin" });
  await computesUp(["compute-1", "compute-2"]);
}, 120_000);

afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  }
  await Promise.allSettled(procs.map((p) => p.exited));
  const c = await mysql.createConnection({ ...defaultMariaDb }).catch(() => undefined);
  await c?.query(`DROP DATABASE IF EXISTS \`${cell0Name}\``).finally(() => c.end());
  await Promise.allSettled([apiDbT?.dispose(), cellDbT?.dispose(), vhost?.dispose()]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("the five apps as separate processes over RabbitMQ and MariaDB", () => {
  it("boots a server to ACTIVE through the API", async () => {
    const created = await client.createServer({ name: "one", flavorRef: "1", imageRef: IMAGE_ID });
    const active = await client
      .waitForServerStatus(created.id, "ACTIVE", wait)
      .catch((err: ServerWaitError) => {
        throw new Error(
          `${err.message}\n${procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-2500)}`).join("\n")}`,
        );
      });
    expect(active["OS-EXT-STS:power_state"]).toBe(1);
    expect(["compute-1", "compute-2"]).toContain(active["OS-EXT-SRV-ATTR:host"]);
  }, 90_000);

  it("puts a server no host can take in ERROR with the scheduler's reason in the fault", async () => {
    const created = await client.createServer({ name: "too-big", flavorRef: "huge", imageRef: IMAGE_ID });
    const s = await settled(created.id);
    expect(s.status).toBe("ERROR");
    expect(s.fault?.message).toMatch(/No valid host was found/);
  }, 90_000);

  it("never leaves a build stuck when its compute is killed during the spawn", async () => {
    // A third compute with the most free RAM (the RAM weigher picks it) and a long spawn.
    const slow = startApp("nova-compute", "compute-3", {
      OS_DEFAULT__HOST: "compute-3",
      OS_FAKE__MEMORY_MB: "65536",
      OS_FAKE__SPAWN_DELAY: "120",
    });
    await computesUp(["compute-3"]);
    // The scheduler learns of compute-3 on its next refresh: until then a boot lands elsewhere; retry (bounded).
    let orphan: string | undefined;
    for (let attempt = 0; attempt < 8 && !orphan; attempt++) {
      const created = await client.createServer({
        name: `orphan-${attempt}`,
        flavorRef: "1",
        imageRef: IMAGE_ID,
      });
      const where = await until(`server ${created.id} to reach a host`, async () => {
        const s = await client.getServer(created.id);
        if (s.status !== "BUILD") return s.status;
        return s["OS-EXT-STS:task_state"] === "spawning" ? s["OS-EXT-SRV-ATTR:host"] : undefined;
      });
      if (where === "compute-3") orphan = created.id;
      else {
        await client.deleteServer(created.id);
        await client.waitForServerDeleted(created.id, wait);
      }
    }
    if (!orphan) throw new Error(`no build reached compute-3\n${allLogs()}`);
    const created = { id: orphan };
    expect(await stopApp(slow, "SIGKILL")).toBeNull();
    const s = await settled(created.id, 90_000);
    if (s.status === "ACTIVE") expect(["compute-1", "compute-2"]).toContain(s["OS-EXT-SRV-ATTR:host"]);
    else expect(s.fault?.message).toBeTruthy();
  }, 150_000);

  it("finishes a build when the conductor is restarted mid-flow", async () => {
    const conductor = procs.find((p) => p.name === "conductor");
    if (!conductor) throw new Error("no conductor");
    const created = await client.createServer({ name: "restart", flavorRef: "1", imageRef: IMAGE_ID });
    expect(await stopApp(conductor)).toBe(0);
    procs.splice(procs.indexOf(conductor), 1);
    await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" }));
    const s = await settled(created.id, 90_000);
    expect(["ACTIVE", "ERROR"]).toContain(s.status);
    // The new conductor serves a fresh boot too.
    const next = await client.createServer({ name: "after", flavorRef: "1", imageRef: IMAGE_ID });
    expect((await client.waitForServerStatus(next.id, "ACTIVE", wait))["OS-EXT-STS:vm_state"]).toBe("active");
  }, 150_000);

  it("stops every process with exit code 0 on SIGTERM", async () => {
    const live = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    expect(live.map((p) => p.name).sort()).toEqual([
      "api",
      "compute-1",
      "compute-2",
      "conductor",
      "scheduler",
    ]);
    const codes = await Promise.all(live.map(async (p) => [p.name, await stopApp(p)] as const));
    expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
  }, 90_000);
});
