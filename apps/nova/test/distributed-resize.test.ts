// Resize and cold migration across separate processes over the real RabbitMQ and MariaDB (issue 13): resize
// with confirm and with revert, a cold migration, and a destination failing in prep_resize (injected through
// nova.conf, `[fake] operation_failures`) that is rescheduled to the alternate. After each, every compute
// node's used vCPUs, RAM and disk equal what its servers and moves in progress hold, as os-hypervisors shows.
//
// compute-bad has by far the most free RAM, so the RAM weigher makes it the first pick of every move; its
// first prep_resize fails. Servers are booted onto compute-a with the 2.74 `host`.
import { fileURLToPath } from "node:url";
import type { ComputeClient } from "@nova/client";
import type { CellDatabase } from "@nova/db";
import { type ProcessCluster, tempestViolations } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  disposeMoveCluster,
  expectClaimsExact as expectClaims,
  RESERVED_RAM,
  startMoveCluster,
  TINY,
  type Usage,
} from "./cluster-claims.js";
import { bootOn, migrationsOf, serverAction } from "./move-helpers.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const SMALL = { vcpus: 2, ram: 1024, disk: 2 };
const COMPUTE_ENVS = {
  "compute-a": {},
  "compute-b": {},
  "compute-bad": {
    OS_FAKE__MEMORY_MB: "131072",
    OS_FAKE__OPERATION_FAILURES: "prep_resize:1",
    OS_FAKE__OPERATION_DELAYS: "migrate_disk_and_power_off:0.2",
  },
  // The smallest host (last pick), which confirms a finished resize after a second on its own.
  "compute-auto": { OS_FAKE__MEMORY_MB: "8192", OS_DEFAULT__RESIZE_CONFIRM_WINDOW: "1" },
};
const COMPUTES = Object.keys(COMPUTE_ENVS);

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

let cluster: ProcessCluster;
let client: ComputeClient;
let cellDb: CellDatabase;

beforeAll(async () => {
  ({ cluster, cellDb, client } = await startMoveCluster(root, "distresize", COMPUTE_ENVS, [
    { name: "m1.small", id: "2", ...SMALL },
  ]));
}, 180_000);

afterAll(() => disposeMoveCluster({ cluster, cellDb }), 60_000);

const bootOnA = (name: string) => bootOn(cluster, client, "compute-a", name);
const action = (id: string, body: unknown, version?: string) => serverAction(client, id, body, version);

async function waitStatus(id: string, status: "ACTIVE" | "VERIFY_RESIZE"): Promise<Json> {
  return client
    .waitForServerStatus(id, status, { timeoutMs: 60_000, intervalMs: 200 })
    .catch((err: Error) => {
      throw new Error(`${err.message}\n${cluster.logs()}`);
    });
}

// The claims check over this cluster's computes (see cluster-claims.ts).
function expectClaimsExact(moves: Record<string, Usage> = {}): Promise<void> {
  return expectClaims(client, COMPUTES, RESERVED_RAM, moves);
}

describe("resize and cold migration across separate processes", () => {
  it("reschedules a destination failing in prep_resize, then confirms the resize", async () => {
    const id = await bootOnA("resize-confirm");
    await expectClaimsExact();
    expect((await action(id, { resize: { flavorRef: "2" } })).status).toBe(202);
    const verify = await waitStatus(id, "VERIFY_RESIZE");
    // compute-bad (first pick) failed its prep_resize; the alternate took the move.
    expect(verify["OS-EXT-SRV-ATTR:host"]).toBe("compute-b");
    expect(verify.flavor.original_name ?? verify.flavor.id).toBeDefined();
    const moves = await migrationsOf(client, id);
    expect(moves.map((m) => [m.dest_compute, m.status, m.migration_type]).sort()).toEqual([
      ["compute-b", "finished", "resize"],
      ["compute-bad", "error", "resize"],
    ]);
    // While it waits for the user: the source still holds the old size, the destination the new one.
    await expectClaimsExact({ "compute-a": TINY });

    expect((await action(id, { confirmResize: null })).status).toBe(204);
    const active = await waitStatus(id, "ACTIVE");
    expect(active["OS-EXT-SRV-ATTR:host"]).toBe("compute-b");
    await cluster.until("the migration confirmed", async () =>
      (await migrationsOf(client, id)).some((m) => m.status === "confirmed") ? true : undefined,
    );
    await expectClaimsExact();
    const events = (await cellDb.actions.list(id)).map((a) => a.action);
    expect(events).toEqual(expect.arrayContaining(["create", "resize", "confirmResize"]));
  }, 120_000);

  it("reverts a resize: back on the source at the old size, the destination's claim given back", async () => {
    const id = await bootOnA("resize-revert");
    expect((await action(id, { resize: { flavorRef: "2" } })).status).toBe(202);
    const verify = await waitStatus(id, "VERIFY_RESIZE");
    const dest = verify["OS-EXT-SRV-ATTR:host"];
    expect(dest).not.toBe("compute-a");
    expect((await action(id, { revertResize: null })).status).toBe(202);
    const active = await cluster.until("the revert to finish", async () => {
      const s = (await client.with({ microversion: "2.47" }).request("GET", `/servers/${id}`)).body as Json;
      return s.server.status === "ACTIVE" && s.server["OS-EXT-STS:task_state"] === null
        ? s.server
        : undefined;
    });
    expect(active["OS-EXT-SRV-ATTR:host"]).toBe("compute-a");
    expect(active.flavor).toMatchObject({ vcpus: 1, ram: 512 });
    expect((await migrationsOf(client, id)).map((m) => m.status)).toEqual(["reverted"]);
    await expectClaimsExact();
  }, 120_000);

  it("deletes a server waiting in VERIFY_RESIZE: the resize is confirmed first, as Nova's API does", async () => {
    const id = await bootOnA("resize-delete");
    expect((await action(id, { resize: { flavorRef: "2" } })).status).toBe(202);
    await waitStatus(id, "VERIFY_RESIZE");
    expect((await client.with({ microversion: "2.1" }).request("DELETE", `/servers/${id}`)).status).toBe(204);
    await client.waitForServerDeleted(id, { timeoutMs: 60_000, intervalMs: 200 });
    // The source dropped its copy through confirm_resize (not left holding the old size), and the migration
    // says so; the delete then freed the destination.
    // (compute-bad's refused prep_resize, when this move was its first, is an `error` migration beside it.)
    expect((await migrationsOf(client, id)).map((m) => m.status).filter((s) => s !== "error")).toEqual([
      "confirmed",
    ]);
    const events = (await cellDb.actions.list(id)).map((a) => a.action);
    expect(events).toEqual(expect.arrayContaining(["resize", "confirmResize", "delete"]));
    await expectClaimsExact();
  }, 120_000);

  it("cold migrates (2.56 without a host), confirmed; os-migrations as tempest validates it", async () => {
    const id = await bootOnA("cold-migrate");
    expect((await action(id, { migrate: null }, "2.56")).status).toBe(202);
    const verify = await waitStatus(id, "VERIFY_RESIZE");
    const dest = verify["OS-EXT-SRV-ATTR:host"];
    expect(dest).not.toBe("compute-a");
    await expectClaimsExact({ "compute-a": TINY });
    expect((await action(id, { confirmResize: null })).status).toBe(204);
    await waitStatus(id, "ACTIVE");
    await cluster.until("the migration confirmed", async () =>
      (await migrationsOf(client, id)).some((m) => m.status === "confirmed") ? true : undefined,
    );
    const [move] = await migrationsOf(client, id);
    expect(move).toMatchObject({
      migration_type: "migration",
      source_compute: "compute-a",
      dest_compute: dest,
    });
    expect(move.old_instance_type_id).toBe(move.new_instance_type_id);
    await expectClaimsExact();
    const cases = [];
    // 2.80 adds user_id and project_id, which this tempest's schemas (up to 2.59) do not know.
    expect(move).toMatchObject({ user_id: "admin", project_id: "admin" });
    expect(move.uuid).toMatch(/^[0-9a-f-]{36}$/);
    for (const version of ["2.1", "2.23", "2.59"]) {
      const res = await client.with({ microversion: version }).request("GET", "/os-migrations");
      cases.push({
        client: "migrations_client.MigrationsClient",
        schema: "list_migrations",
        version,
        status: res.status,
        body: res.body,
      });
    }
    // Checked last: the python run blocks this process.
    expect(tempestViolations(cases)).toEqual([]);
  }, 120_000);

  it("migrates to a named host (2.56), which confirms it on its own after resize_confirm_window", async () => {
    const id = await bootOnA("auto-confirm");
    const res = await action(id, { migrate: { host: "compute-auto" } }, "2.56");
    expect(res.status).toBe(202);
    // No confirmResize from the user: compute-auto's sweep confirms the finished move.
    const confirmed = await cluster.until(
      "the move confirmed by the sweep",
      async () => ((await migrationsOf(client, id)).some((m) => m.status === "confirmed") ? true : undefined),
      60_000,
    );
    expect(confirmed).toBe(true);
    const active = await waitStatus(id, "ACTIVE");
    expect(active["OS-EXT-SRV-ATTR:host"]).toBe("compute-auto");
    await expectClaimsExact();
  }, 120_000);
});
