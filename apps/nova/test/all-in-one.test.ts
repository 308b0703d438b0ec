import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ComputeClient } from "@nova/client";
import { createLogger } from "@nova/runtime";
import { FakeDriver } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { type AllInOne, createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (running.length) await running.pop()?.();
});

async function start(
  env: Record<string, string> = {},
  driverFor?: (host: string) => FakeDriver,
): Promise<{ aio: AllInOne; client: ComputeClient; dataDir: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "nova-aio-"));
  const aio = await createAllInOne({
    dataDir,
    apiPort: 0,
    env: { OS_DEFAULT__REPORT_INTERVAL: "1", ...env },
    logger: createLogger("nova-test", { level: "warn" }),
    ...(driverFor ? { driverFor } : {}),
  });
  const started: typeof aio.services = [];
  for (const s of aio.services) {
    await s.start();
    started.push(s);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const s of started.reverse()) await s.stop();
    await aio.cleanup();
  };
  running.push(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = new ComputeClient({
    endpoint: `http://127.0.0.1:${aio.apiPort()}/v2.1`,
    token: "admin:admin",
  });
  return { aio, client, dataDir, stop };
}

const wait = { timeoutMs: 20_000, intervalMs: 50 };

describe("the all-in-one control plane, in one process", () => {
  it("boots a server to ACTIVE, lists it, and deletes it", async () => {
    const { client } = await start();
    const created = await client.createServer({ name: "one", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    const active = await client.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(active["OS-EXT-STS:power_state"]).toBe(1);
    expect(active["OS-EXT-SRV-ATTR:host"]).toMatch(/^fake-\d$/);
    const listed = await client.listServersDetail();
    expect(listed.servers.map((s) => s.id)).toContain(created.id);
    await client.deleteServer(created.id);
    await client.waitForServerDeleted(created.id, wait);
  });

  it("reschedules to an alternate after a spawn failure", async () => {
    // fake-1 has the most free RAM, so the RAM weigher picks it first; its spawns always fail.
    const drivers = new Map<string, FakeDriver>();
    const { client } = await start({ OS_FAKE__HOST_COUNT: "2" }, (host) => {
      const d = new FakeDriver({
        nodename: host,
        vcpus: 16,
        memoryMb: host === "fake-1" ? 65536 : 16384,
        localGb: 1000,
      });
      if (host === "fake-1") d.injectFailure({ operation: "spawn" });
      drivers.set(host, d);
      return d;
    });
    const created = await client.createServer({
      name: "resched",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    const active = await client.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(active["OS-EXT-SRV-ATTR:host"]).toBe("fake-2");
    expect((await drivers.get("fake-1")!.listInstanceUuids()).length).toBe(0);
    expect(await drivers.get("fake-2")!.listInstanceUuids()).toEqual([created.id]);
  });

  it("puts a server no host can take in ERROR with the scheduler's reason", async () => {
    const { client } = await start({ OS_FAKE__MEMORY_MB: "1024", OS_FAKE__HOST_COUNT: "1" });
    const created = await client.createServer({
      name: "too-big",
      flavorRef: "4",
      imageRef: DEFAULT_IMAGE_ID,
    });
    const err = await client.waitForServerStatus(created.id, "ACTIVE", wait).catch((e: Error) => e);
    expect(String(err)).toMatch(/ERROR/);
    const server = await client.getServer(created.id);
    expect(server.status).toBe("ERROR");
    expect(server.fault?.message).toMatch(/No valid host/);
  });

  it("deletes a server while it is being built, leaving no guest behind", async () => {
    const drivers = new Map<string, FakeDriver>();
    const { client } = await start({ OS_FAKE__HOST_COUNT: "1" }, (host) => {
      const d = new FakeDriver({
        nodename: host,
        vcpus: 16,
        memoryMb: 16384,
        localGb: 1000,
        spawnDelayMs: 1500,
      });
      drivers.set(host, d);
      return d;
    });
    const created = await client.createServer({
      name: "short-lived",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    for (let i = 0; i < 200; i++) {
      const s = await client.getServer(created.id);
      if (s["OS-EXT-STS:task_state"] === "spawning") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.deleteServer(created.id);
    await client.waitForServerDeleted(created.id, wait);
    // Give the build time to finish on the host: it must not leave a guest running.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await drivers.get("fake-1")!.listInstanceUuids()).toEqual([]);
  });

  it("keeps its data across a restart", async () => {
    const first = await start({ OS_FAKE__HOST_COUNT: "1" });
    const created = await first.client.createServer({
      name: "keep",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    await first.client.waitForServerStatus(created.id, "ACTIVE", wait);
    await first.stop();
    const again = await createAllInOne({
      dataDir: first.dataDir,
      apiPort: 0,
      env: { OS_FAKE__HOST_COUNT: "1" },
      logger: createLogger("nova-test", { level: "warn" }),
    });
    for (const s of again.services) await s.start();
    running.push(async () => {
      for (const s of [...again.services].reverse()) await s.stop();
      await again.cleanup();
    });
    const client = new ComputeClient({
      endpoint: `http://127.0.0.1:${again.apiPort()}/v2.1`,
      token: "admin:admin",
    });
    const server = await client.getServer(created.id);
    expect(server.name).toBe("keep");
    expect((await client.listFlavors()).flavors.map((f) => f.name)).toContain("m1.tiny");
  });

  // Debian's python3-openstackclient as an operator uses it (execFile, not spawnSync: the API runs in this process).
  it.runIf(existsSync("/usr/bin/openstack") || Boolean(process.env.NOVA_TEST_REQUIRE_SERVICES))(
    "answers openstackclient's hypervisor list and stats, and compute service set --disable / --down / --enable",
    async () => {
      const { aio } = await start();
      const openstack = async (...args: string[]) => {
        const auth = ["--os-auth-type", "admin_token", "--os-token", "admin:admin"];
        const endpoint = ["--os-endpoint", `http://127.0.0.1:${aio.apiPort()}/v2.1`];
        const { stdout } = await promisify(execFile)("/usr/bin/openstack", [...auth, ...endpoint, ...args]);
        return stdout.trim() ? JSON.parse(stdout) : undefined;
      };
      const hypervisors = await openstack("hypervisor", "list", "-f", "json");
      expect(hypervisors.map((h: { "Hypervisor Hostname": string }) => h["Hypervisor Hostname"])).toEqual([
        "fake-1",
        "fake-2",
        "fake-3",
      ]);
      expect((await openstack("hypervisor", "stats", "show", "-f", "json")).count).toBe(3);
      await openstack(
        "compute",
        "service",
        "set",
        "--disable",
        "--disable-reason",
        "rack move",
        "fake-2",
        "nova-compute",
      );
      await openstack(
        "--os-compute-api-version",
        "2.11",
        "compute",
        "service",
        "set",
        "--down",
        "fake-3",
        "nova-compute",
      );
      const states = async () =>
        (
          await openstack(
            "--os-compute-api-version",
            "2.53",
            "compute",
            "service",
            "list",
            "--long",
            "-f",
            "json",
          )
        )
          .filter((s: { Binary: string }) => s.Binary === "nova-compute")
          .map((s: Record<string, unknown>) => [s.Host, s.Status, s.State, s["Disabled Reason"]]);
      expect(await states()).toEqual([
        ["fake-1", "enabled", "up", null],
        ["fake-2", "disabled", "up", "rack move"],
        ["fake-3", "enabled", "down", null],
      ]);
      // From 2.53 openstackclient updates by uuid (PUT /os-services/{uuid}).
      await openstack(
        "--os-compute-api-version",
        "2.53",
        "compute",
        "service",
        "set",
        "--enable",
        "fake-2",
        "nova-compute",
      );
      await openstack(
        "--os-compute-api-version",
        "2.53",
        "compute",
        "service",
        "set",
        "--up",
        "fake-3",
        "nova-compute",
      );
      expect((await states()).map((s: unknown[]) => s.slice(1, 3))).toEqual([
        ["enabled", "up"],
        ["enabled", "up"],
        ["enabled", "up"],
      ]);
    },
  );

  it("suspends and resumes a server through the compute, recording the actions and their compute events", async () => {
    const drivers = new Map<string, FakeDriver>();
    const { client } = await start({ OS_FAKE__HOST_COUNT: "1" }, (host) => {
      const d = new FakeDriver({ nodename: host, vcpus: 16, memoryMb: 16384, localGb: 1000 });
      drivers.set(host, d);
      return d;
    });
    const created = await client.createServer({
      name: "sleeper",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    await client.waitForServerStatus(created.id, "ACTIVE", wait);
    const action = (body: unknown) => client.request("POST", `/servers/${created.id}/action`, { body });
    const suspend = await action({ suspend: null });
    expect(suspend.status).toBe(202);
    const suspended = await client.waitForServerStatus(created.id, "SUSPENDED", wait);
    expect(suspended["OS-EXT-STS:power_state"]).toBe(7);
    // The guest itself is suspended on the host, not only the row.
    const name = String(suspended["OS-EXT-SRV-ATTR:instance_name"]);
    expect((await drivers.get("fake-1")!.getInfo({ uuid: created.id, name })).state).toBe(7);
    await action({ resume: null });
    const resumed = await client.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(resumed["OS-EXT-STS:power_state"]).toBe(1);

    const listed = await client.request("GET", `/servers/${created.id}/os-instance-actions`);
    const actions = (listed.body as { instanceActions: { action: string; request_id: string }[] })
      .instanceActions;
    expect(actions.map((a) => a.action)).toEqual(["resume", "suspend", "create"]);
    const shown = await client.request(
      "GET",
      `/servers/${created.id}/os-instance-actions/${actions[1]!.request_id}`,
    );
    const events = (shown.body as { instanceAction: { events: { event: string; result: string }[] } })
      .instanceAction.events;
    expect(events.map((e) => [e.event, e.result])).toEqual([["compute_suspend_instance", "Success"]]);
    const create = await client.request(
      "GET",
      `/servers/${created.id}/os-instance-actions/${actions[2]!.request_id}`,
    );
    const createEvents = (create.body as { instanceAction: { events: { event: string; result: string }[] } })
      .instanceAction.events;
    expect(createEvents.map((e) => e.event)).toContain("compute__do_build_and_run_instance");
    expect(createEvents.every((e) => e.result === "Success")).toBe(true);
  });

  it.runIf(existsSync("/usr/bin/openstack") || Boolean(process.env.NOVA_TEST_REQUIRE_SERVICES))(
    "answers openstackclient's flavor create, show, set --property, unset and delete",
    async () => {
      const { aio } = await start();
      const openstack = async (...args: string[]) => {
        const auth = ["--os-auth-type", "admin_token", "--os-token", "admin:admin"];
        const endpoint = ["--os-endpoint", `http://127.0.0.1:${aio.apiPort()}/v2.1`];
        const { stdout } = await promisify(execFile)("/usr/bin/openstack", [...auth, ...endpoint, ...args]);
        return stdout.trim() ? JSON.parse(stdout) : undefined;
      };
      const created = await openstack(
        "--os-compute-api-version",
        "2.61",
        "flavor",
        "create",
        "--ram",
        "1024",
        "--vcpus",
        "2",
        "--disk",
        "10",
        "--private",
        "--description",
        "made by osc",
        "--property",
        "hw:cpu_policy=dedicated",
        "osc.private",
        "-f",
        "json",
      );
      expect(created).toMatchObject({ name: "osc.private", ram: 1024, vcpus: 2, disk: 10 });
      const id = created.id as string;
      await openstack("flavor", "set", "--property", "hw:numa_nodes=1", id);
      const shown = await openstack("--os-compute-api-version", "2.61", "flavor", "show", id, "-f", "json");
      expect(shown.properties).toEqual({ "hw:cpu_policy": "dedicated", "hw:numa_nodes": "1" });
      // A private flavor's access list (set --project needs keystone to resolve the project, absent here).
      expect(shown.access_project_ids).toEqual([]);
      expect(shown.description).toBe("made by osc");
      await openstack("flavor", "unset", "--property", "hw:cpu_policy", id);
      const after = await openstack("--os-compute-api-version", "2.61", "flavor", "show", id, "-f", "json");
      expect(after.properties).toEqual({ "hw:numa_nodes": "1" });
      const all = await openstack("flavor", "list", "--all", "-f", "json");
      expect(all.map((f: { Name: string }) => f.Name)).toContain("osc.private");
      await openstack("flavor", "delete", id);
      const left = await openstack("flavor", "list", "--all", "-f", "json");
      expect(left.map((f: { Name: string }) => f.Name)).not.toContain("osc.private");
    },
    // Eight openstackclient runs, each a Python start-up on a shared machine.
    240_000,
  );
});
