import { type TempestCase, tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestBackend, startTestApi } from "./test-databases.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

const CLIENT = "flavors_client.FlavorsClient";

/** nova-api over DbComputeBackend over SQLite API and cell databases (flavor 1 exists). */
async function harness() {
  const env = await openTestBackend();
  const { apiDb } = env;
  const { request, close } = await startTestApi(env);
  const call = (method: string, path: string, version: string, body?: unknown, token?: string) =>
    request(method, path, { version, body, token });
  return {
    apiDb,
    call,
    close,
  };
}

describe("flavor management over the API database", () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => h.close());

  it("creates, describes, sets extra specs, shares and deletes a flavor in the database", async () => {
    const cases: TempestCase[] = [];
    const created = await h.call("POST", "/flavors", "2.61", {
      flavor: {
        name: "db.private",
        id: "dbp",
        ram: 2048,
        vcpus: 2,
        disk: 20,
        "os-flavor-access:is_public": false,
      },
    });
    expect(created.status).toBe(200);
    cases.push({ client: CLIENT, schema: "create_update_get_flavor_details", version: "2.61", ...created });
    expect(await h.apiDb.flavors.getByFlavorId("dbp")).toMatchObject({ memory_mb: 2048, is_public: false });

    const dupId = await h.call("POST", "/flavors", "2.1", {
      flavor: { name: "x", id: "1", ram: 1, vcpus: 1, disk: 0 },
    });
    expect(dupId.body.conflictingRequest.message).toBe("Flavor with ID 1 already exists.");
    const dupName = await h.call("POST", "/flavors", "2.1", {
      flavor: { name: "m1.tiny", id: "zz", ram: 1, vcpus: 1, disk: 0 },
    });
    expect(dupName.body.conflictingRequest.message).toBe("Flavor with name m1.tiny already exists.");

    const described = await h.call("PUT", "/flavors/dbp", "2.55", { flavor: { description: "from the db" } });
    expect(described.body.flavor.description).toBe("from the db");
    cases.push({ client: CLIENT, schema: "create_update_get_flavor_details", version: "2.55", ...described });

    await h.call("POST", "/flavors/dbp/os-extra_specs", "2.86", {
      extra_specs: { "hw:cpu_policy": "dedicated" },
    });
    expect((await h.apiDb.flavors.getByFlavorId("dbp")).extra_specs).toEqual({
      "hw:cpu_policy": "dedicated",
    });
    const bad = await h.call("POST", "/flavors/dbp/os-extra_specs", "2.86", {
      extra_specs: { "hw:numa_nodes": "0" },
    });
    expect(bad.status).toBe(400);
    expect((await h.call("DELETE", "/flavors/dbp/os-extra_specs/hw:cpu_policy", "2.1")).status).toBe(200);
    const gone = await h.call("DELETE", "/flavors/dbp/os-extra_specs/hw:cpu_policy", "2.1");
    expect(gone.body.itemNotFound.message).toBe("Flavor dbp has no extra specs with key hw:cpu_policy.");

    // Shared with proj-a: its members see it, others get 404.
    expect((await h.call("GET", "/flavors/dbp", "2.1", undefined, "alice:proj-a")).status).toBe(404);
    const added = await h.call("POST", "/flavors/dbp/action", "2.7", {
      addTenantAccess: { tenant: "proj-a" },
    });
    expect(added.body.flavor_access).toEqual([{ flavor_id: "dbp", tenant_id: "proj-a" }]);
    const dup = await h.call("POST", "/flavors/dbp/action", "2.7", { addTenantAccess: { tenant: "proj-a" } });
    expect(dup.status).toBe(409);
    expect((await h.call("GET", "/flavors/dbp", "2.1", undefined, "alice:proj-a")).status).toBe(200);
    const memberList = await h.call("GET", "/flavors", "2.1", undefined, "alice:proj-a");
    expect(memberList.body.flavors.map((f: Json) => f.id)).toEqual(["1", "dbp"]);
    expect((await h.call("GET", "/flavors/dbp", "2.1", undefined, "bob:proj-b")).status).toBe(404);
    const otherList = await h.call("GET", "/flavors", "2.1", undefined, "bob:proj-b");
    expect(otherList.body.flavors.map((f: Json) => f.id)).toEqual(["1"]);
    const adminPrivate = await h.call("GET", "/flavors/detail?is_public=false", "2.75");
    expect(adminPrivate.body.flavors.map((f: Json) => f.id)).toEqual(["dbp"]);
    cases.push({ client: CLIENT, schema: "list_flavors_details", version: "2.75", ...adminPrivate });
    const access = await h.call("GET", "/flavors/dbp/os-flavor-access", "2.1");
    cases.push({
      client: CLIENT,
      module: "v2_1.flavors_access",
      schema: "add_remove_list_flavor_access",
      version: "2.1",
      ...access,
    });
    const removed = await h.call("POST", "/flavors/dbp/action", "2.7", {
      removeTenantAccess: { tenant: "proj-a" },
    });
    expect(removed.body.flavor_access).toEqual([]);
    const notThere = await h.call("POST", "/flavors/dbp/action", "2.7", {
      removeTenantAccess: { tenant: "proj-a" },
    });
    expect(notThere.body.itemNotFound.message).toBe("Flavor access not found for dbp / proj-a combination.");

    expect((await h.call("DELETE", "/flavors/dbp", "2.1")).status).toBe(202);
    await expect(h.apiDb.flavors.getByFlavorId("dbp")).rejects.toThrow();
    expect((await h.call("DELETE", "/flavors/dbp", "2.1")).status).toBe(404);
    expect(tempestViolations(cases)).toEqual([]);
  });
});
