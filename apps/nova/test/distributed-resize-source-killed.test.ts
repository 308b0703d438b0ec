// Issue 13's failure of a move across separate processes over the real RabbitMQ and MariaDB: the source compute
// is SIGKILLed while it is in migrate_disk_and_power_off (held there by `[fake] operation_delays`). Until it
// comes back the server stays in RESIZE and the move in `migrating`; the restarted source rolls the move back
// as Nova's _init_instance does (the guest reverted, the task cleared) and ends the migration in `error`, which
// gives the destination's claim back. The operator's reset-state --active then leaves the server ACTIVE on the
// source at its old size, and it stops, starts and is deleted as any other; the claims check holds after each.
// The same when the operator resets the server while the source is still down: the move holds the destination
// until the source comes back and ends it.
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
  type Usage,
} from "./cluster-claims.js";
import { bootOn, migrationsOf, serverAction } from "./move-helpers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const SMALL: Usage = { vcpus: 2, ram: 1024, disk: 2 };
// Long enough that the source is surely still powering off when the test kills it.
const SOURCE_ENV = {
  OS_DEFAULT__HOST: "compute-a",
  OS_FAKE__OPERATION_DELAYS: "migrate_disk_and_power_off:120",
};
const COMPUTES = ["compute-a", "compute-b"];

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

let cluster: ProcessCluster;
let client: ComputeClient;
let cellDb: CellDatabase;

beforeAll(async () => {
  ({ cluster, cellDb, client } = await startMoveCluster(
    root,
    "distresizekill",
    { "compute-a": SOURCE_ENV, "compute-b": {} },
    [{ name: "m1.small", id: "2", ...SMALL }],
  ));
}, 180_000);

afterAll(() => disposeMoveCluster({ cluster, cellDb }), 60_000);

const server = async (id: string): Promise<Json> =>
  ((await client.with({ microversion: "2.47" }).request("GET", `/servers/${id}`)).body as Json).server;

const action = (id: string, body: unknown) => serverAction(client, id, body);

async function migrationOf(id: string): Promise<Json> {
  const moves = await migrationsOf(client, id);
  expect(moves).toHaveLength(1);
  return moves[0];
}

async function settled(id: string, status: "ACTIVE" | "SHUTOFF"): Promise<Json> {
  return cluster
    .until(
      `the server ${status} with no task`,
      async () => {
        const s = await server(id);
        return s.status === status && s["OS-EXT-STS:task_state"] === null ? s : undefined;
      },
      60_000,
    )
    .catch((err: Error) => {
      throw new Error(`${err.message}\n${cluster.logs()}`);
    });
}

const expectClaimsExact = (moves: Record<string, Usage> = {}) =>
  expectClaims(client, COMPUTES, RESERVED_RAM, moves);

// Boots a server on compute-a, resizes it and SIGKILLs compute-a while it is in migrate_disk_and_power_off.
async function killedMidResize(name: string): Promise<string> {
  const id = await bootOn(cluster, client, "compute-a", name);
  await expectClaimsExact();

  expect((await action(id, { resize: { flavorRef: "2" } })).status).toBe(202);
  await cluster.until(
    "the source in migrate_disk_and_power_off",
    async () => {
      const [s, m] = await Promise.all([server(id), migrationOf(id)]);
      return s["OS-EXT-STS:task_state"] === "resize_migrating" && m.status === "migrating" ? true : undefined;
    },
    60_000,
  );
  // Mid-move: the server is still on compute-a at the old size, the migration holds compute-b's new size.
  await expectClaimsExact({ "compute-b": SMALL });

  await cluster.remove(cluster.get("compute-a"), "SIGKILL");
  // Nothing else knows the source died: the move waits for it.
  const stuck = await server(id);
  expect(stuck).toMatchObject({ status: "RESIZE", "OS-EXT-STS:task_state": "resize_migrating" });
  expect((await migrationOf(id)).status).toBe("migrating");
  return id;
}

// compute-a started again; resolves once the move is `error`.
async function sourceBack(id: string): Promise<void> {
  cluster.start("nova-compute", "compute-a", SOURCE_ENV);
  const failed = await cluster
    .until("the restarted source to end the move", async () => {
      const m = await migrationOf(id);
      return m.status === "error" ? m : undefined;
    })
    .catch((err: Error) => {
      throw new Error(`${err.message}\n${cluster.logs()}`);
    });
  expect(failed).toMatchObject({ source_compute: "compute-a", dest_compute: "compute-b" });
}

const resetActive = async (id: string) =>
  expect((await action(id, { "os-resetState": { state: "active" } })).status).toBe(202);

// ACTIVE on compute-a at the old size; it stops, starts and is deleted, the claims exact after each.
async function usableOnSource(id: string): Promise<void> {
  const back = await settled(id, "ACTIVE");
  expect(back["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
  expect(back.flavor).toMatchObject({ vcpus: 1, ram: 512, disk: 1 });
  await expectClaimsExact();
  expect((await action(id, { "os-stop": null })).status).toBe(202);
  await settled(id, "SHUTOFF");
  expect((await action(id, { "os-start": null })).status).toBe(202);
  await settled(id, "ACTIVE");
  await expectClaimsExact();
  expect((await cellDb.actions.list(id)).map((a) => a.action)).toEqual(
    expect.arrayContaining(["create", "resize", "resetState", "stop", "start"]),
  );
  await client.deleteServer(id);
  await client.waitForServerDeleted(id, { timeoutMs: 60_000, intervalMs: 200 });
  await expectClaimsExact();
}

describe("a source compute killed during a resize", () => {
  it("is rolled back when the source comes back: migration in error, server recoverable, claims exact", async () => {
    const id = await killedMidResize("killed-then-back");
    await sourceBack(id);
    // Rolled back by the source (Nova's _init_instance): the destination's claim went back with the move.
    const reverted = await settled(id, "ACTIVE");
    expect(reverted["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
    await expectClaimsExact();
    // The operator's reset-state --active, as after any failed move: nothing left to clear.
    await resetActive(id);
    await usableOnSource(id);
  }, 180_000);

  it("reset by the operator while the source is down: the move holds the destination until the source is back", async () => {
    const id = await killedMidResize("reset-while-down");
    await resetActive(id);
    const reset = await settled(id, "ACTIVE");
    expect(reset["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
    expect((await migrationOf(id)).status).toBe("migrating");
    await expectClaimsExact({ "compute-b": SMALL });
    await sourceBack(id);
    await usableOnSource(id);
  }, 180_000);
});
