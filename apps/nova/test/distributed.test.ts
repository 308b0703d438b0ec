// The five apps as separate processes over the real RabbitMQ and MariaDB: boot, os-services, NoValidHost, a
// compute killed mid-build, the conductor restarted mid-flow, and a clean SIGTERM of everything.
import { fileURLToPath } from "node:url";
import { ComputeClient, type ServerWaitError } from "@nova/client";
import { type AppProcess, CLUSTER_IMAGE_ID, type NovaApp, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const IMAGE_ID = CLUSTER_IMAGE_ID;
const wait = { timeoutMs: 45_000, intervalMs: 200 };

let cluster: ProcessCluster;
let client: ComputeClient;

const allLogs = () => cluster.logs();
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000) =>
  cluster.until(what, probe, timeoutMs);
const startApp = (app: NovaApp, name: string, env: Record<string, string> = {}) =>
  cluster.start(app, name, env);
const stopApp = (p: AppProcess, signal: NodeJS.Signals = "SIGTERM") => cluster.stop(p, signal);
const started = (p: AppProcess) => cluster.started(p);

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
  cluster = await ProcessCluster.create({
    root,
    prefix: "dist",
    conf: {
      DEFAULT: {
        report_interval: 1,
        service_down_time: 3,
        instance_build_timeout: 20,
        rpc_response_timeout: 10,
      },
      fake: { vcpus: 8, memory_mb: 8192, local_gb: 200, spawn_delay: 1 },
    },
  });
  await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
  await cluster.createFlavor({ name: "huge", id: "huge", ram: 40000, vcpus: 1, disk: 1 });
  // nova-compute retries its first conductor call until one answers (each try waits rpc_response_timeout),
  // so starting the conductor and scheduler first only keeps the suite short.
  await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" }));
  await started(startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" }));
  startApp("nova-compute", "compute-1", { OS_DEFAULT__HOST: "compute-1" });
  startApp("nova-compute", "compute-2", { OS_DEFAULT__HOST: "compute-2" });
  startApp("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  await computesUp(["compute-1", "compute-2"]);
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
}, 60_000);

describe("the five apps as separate processes over RabbitMQ and MariaDB", () => {
  it("boots a server to ACTIVE through the API", async () => {
    const created = await client.createServer({ name: "one", flavorRef: "1", imageRef: IMAGE_ID });
    const active = await client
      .waitForServerStatus(created.id, "ACTIVE", wait)
      .catch((err: ServerWaitError) => {
        throw new Error(`${err.message}\n${allLogs()}`);
      });
    expect(active["OS-EXT-STS:power_state"]).toBe(1);
    expect(["compute-1", "compute-2"]).toContain(active["OS-EXT-SRV-ATTR:host"]);
  }, 90_000);

  it("lists nova-scheduler, nova-conductor and both computes up in os-services, as nova-manage does", async () => {
    const want = [
      ["nova-compute", "compute-1"],
      ["nova-compute", "compute-2"],
      ["nova-conductor", "conductor-1"],
      ["nova-scheduler", "scheduler-1"],
    ];
    const services = await until("every service up in os-services", async () => {
      const all = await client.listServices();
      const up = all.filter((s) => s.state === "up" && s.status === "enabled");
      return want.every(([b, h]) => up.some((s) => s.binary === b && s.host === h)) ? all : undefined;
    });
    expect(services.find((s) => s.binary === "nova-scheduler")).toMatchObject({
      host: "scheduler-1",
      zone: "internal",
      state: "up",
    });
    // The scheduler keeps heartbeating: its row's updated_at moves on.
    const first = services.find((s) => s.binary === "nova-scheduler")?.updated_at;
    await until("a later scheduler heartbeat", async () => {
      const [s] = await client.listServices({ binary: "nova-scheduler" });
      return s?.updated_at && s.updated_at !== first && s.state === "up" ? true : undefined;
    });
    const table = (await cluster.manage("service", "list")).split("\n").map((l) => l.split(/\s{2,}/));
    for (const [binary, host] of want) {
      expect(table.find((c) => c[0] === binary && c[1] === host)?.[4]).toBe("up");
    }
  }, 60_000);

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
    const conductor = cluster.get("conductor");
    const created = await client.createServer({ name: "restart", flavorRef: "1", imageRef: IMAGE_ID });
    expect(await cluster.remove(conductor)).toBe(0);
    await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" }));
    const s = await settled(created.id, 90_000);
    expect(["ACTIVE", "ERROR"]).toContain(s.status);
    // The new conductor serves a fresh boot too.
    const next = await client.createServer({ name: "after", flavorRef: "1", imageRef: IMAGE_ID });
    expect((await client.waitForServerStatus(next.id, "ACTIVE", wait))["OS-EXT-STS:vm_state"]).toBe("active");
  }, 150_000);

  it("stops every process with exit code 0 on SIGTERM", async () => {
    const live = cluster.live();
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
