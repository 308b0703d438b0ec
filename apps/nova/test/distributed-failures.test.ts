// Build failures across processes over the real RabbitMQ and MariaDB: a spawn failure injected through
// nova.conf ([fake] spawn_failure_pattern) is rescheduled to the other compute, and a server deleted while
// it builds disappears with nothing left on its hypervisor.
//
// compute-flaky has by far the most free RAM, so the RAM weigher makes it the first pick of every boot; it
// takes SPAWN_DELAY seconds per spawn and fails those whose name starts with "resched-". compute-ok is small,
// quick and healthy.
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { type CellDatabase, openCellDatabase } from "@nova/db";
import { CLUSTER_IMAGE_ID, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane } from "./cluster-claims.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const FLAKY_LOCAL_GB = 500;
const SPAWN_DELAY = 4;

let cluster: ProcessCluster;
let client: ComputeClient;
let cellDb: CellDatabase;

const flakyNode = async () => {
  const [node] = await cellDb.computeNodes.list({ host: "compute-flaky" });
  if (!node) throw new Error("compute-flaky has no compute node");
  return node;
};

beforeAll(async () => {
  cluster = await ProcessCluster.create({
    root,
    prefix: "distfail",
    conf: {
      DEFAULT: {
        report_interval: 1,
        // Not a liveness test: the scheduler judges liveness from a snapshot up to its refresh interval (2 s)
        // old, so with 3 s a healthy compute slowed by a loaded CI machine was once filtered out as down and
        // the reschedule found no alternate.
        service_down_time: 10,
        instance_build_timeout: 60,
        rpc_response_timeout: 10,
        // The resource tracker reports the driver's disk_available_least every second.
        update_resources_interval: 1,
      },
      fake: { vcpus: 8, memory_mb: 8192, local_gb: 200, spawn_delay: 0 },
      // The reschedule test leaves compute-flaky with a failed build, which the BuildFailureWeigher would
      // count against it as soon as the scheduler's next poll (every 2 s) reads it: the delete test's boot
      // then landed on compute-ok or compute-flaky depending on that race. These tests rely on the RAM
      // weigher alone picking compute-flaky.
      filter_scheduler: { build_failure_weight_multiplier: 0 },
    },
  });
  cellDb = openCellDatabase(cluster.cellDb.url);
  await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
  await startControlPlane(cluster);
  cluster.start("nova-compute", "compute-ok", { OS_DEFAULT__HOST: "compute-ok" });
  cluster.start("nova-compute", "compute-flaky", {
    OS_DEFAULT__HOST: "compute-flaky",
    OS_FAKE__MEMORY_MB: "131072",
    OS_FAKE__VCPUS: "64",
    OS_FAKE__LOCAL_GB: String(FLAKY_LOCAL_GB),
    OS_FAKE__SPAWN_DELAY: String(SPAWN_DELAY),
    OS_FAKE__SPAWN_FAILURE_PATTERN: "^resched-",
  });
  cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  await cluster.until("both computes up and known to the scheduler", async () => {
    const up = (await client.listServices({ binary: "nova-compute" }))
      .filter((s) => s.state === "up")
      .map((s) => s.host);
    const nodes = await cellDb.computeNodes.list();
    return ["compute-ok", "compute-flaky"].every((h) => up.includes(h) && nodes.some((n) => n.host === h))
      ? true
      : undefined;
  });
  // The scheduler reads new nodes on its next poll (every 2 s): wait until it placed a boot on compute-flaky.
  await cluster.until(
    "a boot placed on compute-flaky",
    async () => {
      const s = await client.createServer({ name: "warm-up", flavorRef: "1", imageRef: CLUSTER_IMAGE_ID });
      const done = await cluster.until("the warm-up boot to finish", async () => {
        const got = await client.getServer(s.id);
        return got.status === "ACTIVE" || got.status === "ERROR" ? got : undefined;
      });
      await client.deleteServer(s.id);
      await client.waitForServerDeleted(s.id, { timeoutMs: 30_000, intervalMs: 200 });
      return done["OS-EXT-SRV-ATTR:host"] === "compute-flaky" ? true : undefined;
    },
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await cellDb?.close();
  await cluster?.dispose();
}, 60_000);

describe("build failures across separate processes", () => {
  it("reschedules a spawn failure injected on one compute to the other, and records the failed attempt", async () => {
    const created = await client.createServer({
      name: "resched-1",
      flavorRef: "1",
      imageRef: CLUSTER_IMAGE_ID,
    });
    const active = await client
      .waitForServerStatus(created.id, "ACTIVE", { timeoutMs: 60_000, intervalMs: 200 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${cluster.logs()}`);
      });
    expect(active["OS-EXT-SRV-ATTR:host"]).toBe("compute-ok");

    // The create action carries one build event per host tried: the failure on compute-flaky, then the
    // success on compute-ok. Without a reschedule there would be a single event. As Nova's, a compute ends
    // its build event after the instance is ACTIVE: wait for both events to have a result.
    const [action] = await cellDb.actions.list(created.id);
    expect(action?.action).toBe("create");
    const builds = await cluster.until("both build events finished", async () => {
      const found = (await cellDb.actions.events(action!.id))
        .filter((e) => e.event === "compute__do_build_and_run_instance")
        .map((e) => [e.host, e.result])
        .sort();
      return found.length === 2 && found.every(([, result]) => result !== null) ? found : undefined;
    });
    expect(builds).toEqual([
      ["compute-flaky", "Error"],
      ["compute-ok", "Success"],
    ]);
    expect(cluster.get("compute-flaky").output.join("")).toMatch(
      new RegExp(`"instance_uuid":"${created.id}".*"msg":"spawn failed"`),
    );
    // The failed guest was cleaned off compute-flaky.
    await cluster.until("compute-flaky's disk back to full", async () =>
      (await flakyNode()).disk_available_least === FLAKY_LOCAL_GB ? true : undefined,
    );
  }, 90_000);

  it("deletes a server during its build: it disappears and its guest leaves the hypervisor", async () => {
    const created = await client.createServer({ name: "slow-1", flavorRef: "1", imageRef: CLUSTER_IMAGE_ID });
    const host = await cluster.until(`server ${created.id} to be spawning`, async () => {
      const s = await client.getServer(created.id);
      return s["OS-EXT-STS:task_state"] === "spawning" ? s["OS-EXT-SRV-ATTR:host"] : undefined;
    });
    expect(host).toBe("compute-flaky");
    // The guest is on the hypervisor while it builds: the driver's free disk reported drops by the root disk.
    await cluster.until("compute-flaky to report the building guest", async () =>
      (await flakyNode()).disk_available_least === FLAKY_LOCAL_GB - 1 ? true : undefined,
    );
    const during = await client.getServer(created.id);
    expect(during.status).toBe("BUILD");

    await client.deleteServer(created.id);
    await client
      .waitForServerDeleted(created.id, { timeoutMs: 60_000, intervalMs: 200 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${cluster.logs()}`);
      });
    await expect(client.getServer(created.id)).rejects.toMatchObject({ status: 404 });
    // Whoever won the delete (the compute's terminate or the conductor stopping the build), the row ends deleted.
    expect(await cellDb.instances.get(created.id, { readDeleted: true })).toMatchObject({
      deleted: true,
      vm_state: "deleted",
      task_state: null,
    });

    // Nothing left on compute-flaky: the driver reports its whole disk free, and the claims are released.
    const node = await cluster.until("compute-flaky empty again", async () => {
      const n = await flakyNode();
      return n.disk_available_least === FLAKY_LOCAL_GB && n.vcpus_used === 0 ? n : undefined;
    });
    // Only the host's own reservation stays counted (reserved_host_memory_mb, Nova's default 512 MB).
    expect(node).toMatchObject({ memory_mb_used: 512, local_gb_used: 0 });
    expect((await client.listServers()).servers.map((s) => s.id)).not.toContain(created.id);
  }, 90_000);
});
