// Live migration and evacuation across separate processes over the real RabbitMQ and MariaDB (issue 13), with
// the fake driver: without a host (the first pick refusing its check, `[fake] operation_failures =
// check_can_live_migrate_destination:1`, so an alternate takes it) and to a named host, a migration failing mid-way
// (`live_migration:1` on its source) that is rolled back, and a slow one (`operation_delays = live_migration:30`)
// aborted (2.24) and then forced to complete (2.22); and the evacuation of a killed compute's server, which the
// compute cleans up after when it comes back. After each, every compute node's used vCPUs, RAM and disk equal
// what its servers and moves in progress hold, as os-hypervisors shows.
import { fileURLToPath } from "node:url";
import type { ComputeClient } from "@nova/client";
import type { CellDatabase } from "@nova/db";
import type { ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  disposeMoveCluster,
  expectClaimsExact as expectClaims,
  RESERVED_RAM,
  startMoveCluster,
  TINY,
  type Usage,
} from "./cluster-claims.js";
import { bootOn as bootOnHost, migrationsOf as migrationsOfServer } from "./move-helpers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const COMPUTE_ENVS = {
  "compute-a": {},
  // The biggest host, the RAM weigher's first pick when no host is named; it refuses its first destination check.
  "compute-b": {
    OS_FAKE__MEMORY_MB: "65536",
    OS_FAKE__OPERATION_FAILURES: "check_can_live_migrate_destination:1",
  },
  "compute-fail": { OS_FAKE__OPERATION_FAILURES: "live_migration:1" },
  "compute-slow": { OS_FAKE__OPERATION_DELAYS: "live_migration:30" },
  // The host killed by the evacuation test (the smallest: never the scheduler's pick before it dies).
  "compute-dead": { OS_FAKE__MEMORY_MB: "4096" },
};
const COMPUTES = Object.keys(COMPUTE_ENVS);

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

let cluster: ProcessCluster;
let client: ComputeClient;
let cellDb: CellDatabase;

beforeAll(async () => {
  ({ cluster, cellDb, client } = await startMoveCluster(root, "distlive", COMPUTE_ENVS));
}, 180_000);

afterAll(() => disposeMoveCluster({ cluster, cellDb }), 60_000);

const bootOn = (host: string, name: string) => bootOnHost(cluster, client, host, name);
const migrationsOf = (id: string) => migrationsOfServer(client, id);

const migrateLive = (id: string, body: Record<string, unknown>, version = "2.25") =>
  client
    .with({ microversion: version })
    .request("POST", `/servers/${id}/action`, { body: { "os-migrateLive": body } });

/** The server once its live migration is over: no task, and its migration in a final status. */
async function settled(id: string, status: string): Promise<{ server: Json; migration: Json }> {
  return cluster
    .until(
      `the live migration of ${id} ${status}`,
      async () => {
        const s = (await client.with({ microversion: "2.47" }).request("GET", `/servers/${id}`)).body as Json;
        const [m] = await migrationsOf(id);
        return s.server["OS-EXT-STS:task_state"] === null && m?.status === status
          ? { server: s.server, migration: m }
          : undefined;
      },
      60_000,
    )
    .catch((err: Error) => {
      throw new Error(`${err.message}\n${cluster.logs()}`);
    });
}

/** Waits for the server's live migration to be `running` (the server migrations API, 2.23). */
async function running(id: string): Promise<Json> {
  return cluster.until(
    `the live migration of ${id} running`,
    async () => {
      const res = await client.with({ microversion: "2.24" }).request("GET", `/servers/${id}/migrations`);
      const [m] = (res.body as Json).migrations;
      return m?.status === "running" ? m : undefined;
    },
    30_000,
  );
}

// The claims check over this cluster's computes (see cluster-claims.ts).
function expectClaimsExact(moves: Record<string, Usage> = {}): Promise<void> {
  return expectClaims(client, COMPUTES, RESERVED_RAM, moves);
}

describe("live migration across separate processes", () => {
  it("live migrates without a host (2.25, block_migration auto): the first pick refuses, an alternate takes it", async () => {
    const id = await bootOn("compute-a", "live-auto");
    await expectClaimsExact();
    expect((await migrateLive(id, { host: null, block_migration: "auto" })).status).toBe(202);
    const { server, migration } = await settled(id, "completed");
    expect(server.status).toBe("ACTIVE");
    // compute-b (first pick) failed its check and gave its claim back; an alternate took the guest.
    const dest = server["OS-EXT-SRV-ATTR:host"];
    expect(["compute-a", "compute-b"]).not.toContain(dest);
    expect(migration).toMatchObject({
      migration_type: "live-migration",
      source_compute: "compute-a",
      dest_compute: dest,
    });
    await expectClaimsExact();
    const actions = (await cellDb.actions.list(id)).map((a) => a.action);
    expect(actions).toContain("live-migration");
  }, 120_000);

  it("live migrates to a named host (2.30 with force false), and back with 2.1's form", async () => {
    const id = await bootOn("compute-a", "live-host");
    const res = await migrateLive(id, { host: "compute-b", block_migration: false, force: false }, "2.30");
    expect(res.status).toBe(202);
    const there = await settled(id, "completed");
    expect(there.server["OS-EXT-SRV-ATTR:host"]).toBe("compute-b");
    await expectClaimsExact();
    // The 2.1 body: disk_over_commit required, no `auto`.
    const back = await migrateLive(
      id,
      { host: "compute-a", block_migration: false, disk_over_commit: false },
      "2.1",
    );
    expect(back.status).toBe(202);
    const after = await settled(id, "completed");
    expect(after.server["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
    expect((await migrationsOf(id)).map((m) => [m.dest_compute, m.status])).toEqual([
      ["compute-a", "completed"],
      ["compute-b", "completed"],
    ]);
    await expectClaimsExact();
  }, 120_000);

  it("rolls back a live migration failing mid-way: ACTIVE on the source, the destination's claim given back", async () => {
    const id = await bootOn("compute-fail", "live-fail");
    expect((await migrateLive(id, { host: null, block_migration: "auto" })).status).toBe(202);
    const { server, migration } = await settled(id, "failed");
    expect(server.status).toBe("ACTIVE");
    expect(server["OS-EXT-SRV-ATTR:host"]).toBe("compute-fail");
    expect(migration.dest_compute).not.toBe("compute-fail");
    await expectClaimsExact();
  }, 120_000);

  it("aborts a running live migration (2.24), then forces the next one to complete (2.22)", async () => {
    const id = await bootOn("compute-slow", "live-slow");
    expect((await migrateLive(id, { host: "compute-a", block_migration: "auto" })).status).toBe(202);
    const first = await running(id);
    // While it copies, the destination holds the claim besides the source's.
    await expectClaimsExact({ "compute-a": TINY });
    const abort = await client
      .with({ microversion: "2.24" })
      .request("DELETE", `/servers/${id}/migrations/${first.id}`);
    expect(abort.status).toBe(202);
    const aborted = await settled(id, "cancelled");
    expect(aborted.server["OS-EXT-SRV-ATTR:host"]).toBe("compute-slow");
    expect(aborted.server.status).toBe("ACTIVE");
    await expectClaimsExact();

    expect((await migrateLive(id, { host: "compute-a", block_migration: "auto" })).status).toBe(202);
    const second = await running(id);
    const force = await client
      .with({ microversion: "2.22" })
      .request("POST", `/servers/${id}/migrations/${second.id}/action`, { body: { force_complete: null } });
    expect(force.status).toBe(202);
    const done = await settled(id, "completed");
    expect(done.server["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
    await expectClaimsExact();
  }, 120_000);

  it("evacuates a killed compute's server (2.68), and the compute cleans up after it when it comes back", async () => {
    const id = await bootOn("compute-dead", "evacuee");
    await cluster.remove(cluster.get("compute-dead"), "SIGKILL");
    // Forced down at once (2.53), rather than waiting service_down_time for its heartbeats to stop counting.
    const services = await client.with({ microversion: "2.53" }).listServices({ binary: "nova-compute" });
    const dead = services.find((s) => s.host === "compute-dead")!;
    const v253 = client.with({ microversion: "2.53" });
    expect(
      (await v253.request("PUT", `/os-services/${dead.id}`, { body: { forced_down: true } })).status,
    ).toBe(200);
    const res = await client
      .with({ microversion: "2.68" })
      .request("POST", `/servers/${id}/action`, { body: { evacuate: {} } });
    expect(res.status).toBe(200);
    const { server, migration } = await settled(id, "done");
    expect(server.status).toBe("ACTIVE");
    expect(server["OS-EXT-SRV-ATTR:host"]).not.toBe("compute-dead");
    expect(migration).toMatchObject({ migration_type: "evacuation", source_compute: "compute-dead" });
    // The dead host's claim was given back when the rebuild elsewhere was done.
    await expectClaimsExact();

    cluster.start("nova-compute", "compute-dead", {
      OS_DEFAULT__HOST: "compute-dead",
      OS_FAKE__MEMORY_MB: "4096",
    });
    expect(
      (await v253.request("PUT", `/os-services/${dead.id}`, { body: { forced_down: false } })).status,
    ).toBe(200);
    await cluster.until(
      "the evacuation completed by the returning compute",
      async () => ((await migrationsOf(id))[0]?.status === "completed" ? true : undefined),
      60_000,
    );
    await expectClaimsExact();
  }, 120_000);
});
