import { type TempestCase, tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
let env: Awaited<ReturnType<typeof startApi>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const CLIENT = "flavors_client.FlavorsClient";
const ADMIN = "admin:admin";
const MEMBER = "carol:proj-c";
const OTHER = "dave:proj-d";

async function call(method: string, path: string, version: string, body?: unknown, token = ADMIN) {
  const response = await env!.fetch(`/v2.1${path}`, {
    method,
    headers: {
      "X-Auth-Token": token,
      "OpenStack-API-Version": `compute ${version}`,
      "Content-Type": "application/json",
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

/** Collects responses to check against tempest's schemas at the end of a test. */
function schemaChecks() {
  const cases: TempestCase[] = [];
  return {
    add(schema: string, version: string, reply: { status: number; body: unknown }, module?: string) {
      cases.push({
        client: CLIENT,
        schema,
        version,
        status: reply.status,
        body: reply.body ?? null,
        ...(module ? { module } : {}),
      });
    },
    violations: () => tempestViolations(cases),
  };
}

const flavorBody = (extra: Record<string, unknown> = {}) => ({
  flavor: { name: "test.small", ram: 1024, vcpus: 2, disk: 10, ...extra },
});

describe("os-flavor-manage", () => {
  it("creates a flavor with Nova's defaults and the shape of each microversion", async () => {
    env = await startApi();
    const checks = schemaChecks();
    const v21 = await call(
      "POST",
      "/flavors",
      "2.1",
      flavorBody({ id: "f-21", "os-flavor-access:is_public": "false" }),
    );
    expect(v21.status).toBe(200);
    expect(v21.body.flavor).toMatchObject({
      id: "f-21",
      name: "test.small",
      ram: 1024,
      vcpus: 2,
      disk: 10,
      swap: "",
      "OS-FLV-EXT-DATA:ephemeral": 0,
      "OS-FLV-DISABLED:disabled": false,
      "os-flavor-access:is_public": false,
      rxtx_factor: 1,
    });
    expect(v21.body.flavor).not.toHaveProperty("description");
    checks.add("create_update_get_flavor_details", "2.1", v21);

    const v255 = await call("POST", "/flavors", "2.55", {
      flavor: {
        name: "with-desc",
        id: 7,
        ram: "512",
        vcpus: 1,
        disk: "0",
        swap: 256,
        description: "small one",
      },
    });
    expect(v255.status).toBe(200);
    expect(v255.body.flavor).toMatchObject({
      id: "7",
      description: "small one",
      swap: 256,
      ram: 512,
      disk: 0,
    });
    expect(v255.body.flavor).not.toHaveProperty("extra_specs");
    checks.add("create_update_get_flavor_details", "2.55", v255);

    const v261 = await call("POST", "/flavors", "2.61", {
      flavor: { name: "auto-id", ram: 64, vcpus: 1, disk: 1 },
    });
    expect(v261.status).toBe(200);
    // No id: Nova generates a uuid.
    expect(v261.body.flavor.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(v261.body.flavor.extra_specs).toEqual({});
    expect(v261.body.flavor.description).toBeNull();
    checks.add("create_update_get_flavor_details", "2.61", v261);

    const v275 = await call("POST", "/flavors", "2.75", {
      flavor: { name: "null-id", id: null, ram: 64, vcpus: 1, disk: 1 },
    });
    expect(v275.status).toBe(200);
    expect(v275.body.flavor.swap).toBe(0);
    checks.add("create_update_get_flavor_details", "2.75", v275);

    const shown = await call("GET", "/flavors/f-21", "2.1");
    expect(shown.body.flavor.name).toBe("test.small");
    expect(checks.violations()).toEqual([]);
  });

  it("answers 409 with Nova's messages for a taken id or name, and 400 for bad bodies", async () => {
    env = await startApi();
    const byId = await call("POST", "/flavors", "2.1", flavorBody({ id: "1", name: "fresh" }));
    expect(byId.status).toBe(409);
    expect(byId.body.conflictingRequest.message).toBe("Flavor with ID 1 already exists.");
    const byName = await call("POST", "/flavors", "2.1", flavorBody({ id: "new", name: "m1.tiny" }));
    expect(byName.status).toBe(409);
    expect(byName.body.conflictingRequest.message).toBe("Flavor with name m1.tiny already exists.");

    const bad = [
      flavorBody({ ram: 0 }),
      flavorBody({ vcpus: "x" }),
      flavorBody({ disk: -1 }),
      flavorBody({ id: " leading" }),
      flavorBody({ id: "" }),
      flavorBody({ rxtx_factor: 0 }),
      flavorBody({ rxtx_factor: "0" }),
      flavorBody({ ram: 2 ** 31 }),
      flavorBody({ unknown: 1 }),
      { flavor: { name: "no-ram", vcpus: 1, disk: 1 } },
    ];
    for (const body of bad) {
      const reply = await call("POST", "/flavors", "2.1", body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    const factor = await call("POST", "/flavors", "2.1", flavorBody({ rxtx_factor: 0 }));
    expect(factor.body.badRequest.message).toBe(
      "Invalid input for field/attribute rxtx_factor. Value: 0. 0 is less than or equal to the minimum of 0",
    );
    const ram = await call("POST", "/flavors", "2.1", flavorBody({ ram: "0" }));
    expect(ram.body.badRequest.message).toBe(
      "Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1",
    );
    // description is a 2.55 field: an additional property before.
    const early = await call("POST", "/flavors", "2.54", flavorBody({ description: "x" }));
    expect(early.status).toBe(400);
    expect(early.body.badRequest.message).toContain("'description' was unexpected");
  });

  it("is admin only: create, update and delete answer a member 403 with their rules", async () => {
    env = await startApi();
    const create = await call("POST", "/flavors", "2.55", flavorBody(), MEMBER);
    expect(create.status).toBe(403);
    expect(create.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
    );
    const update = await call("PUT", "/flavors/1", "2.55", { flavor: { description: "x" } }, MEMBER);
    expect(update.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:update to be performed.",
    );
    const del = await call("DELETE", "/flavors/1", "2.1", undefined, MEMBER);
    expect(del.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:delete to be performed.",
    );
    expect((await call("GET", "/flavors/1", "2.1")).status).toBe(200);
  });

  it("updates the description from 2.55 only, and deletes with 202", async () => {
    env = await startApi();
    const checks = schemaChecks();
    expect((await call("PUT", "/flavors/1", "2.54", { flavor: { description: "x" } })).status).toBe(404);
    const updated = await call("PUT", "/flavors/1", "2.55", { flavor: { description: "tiny one" } });
    expect(updated.status).toBe(200);
    expect(updated.body.flavor.description).toBe("tiny one");
    checks.add("create_update_get_flavor_details", "2.55", updated);
    const v261 = await call("PUT", "/flavors/1", "2.61", { flavor: { description: null } });
    expect(v261.body.flavor).toMatchObject({ description: null, extra_specs: {} });
    checks.add("create_update_get_flavor_details", "2.61", v261);
    expect((await call("PUT", "/flavors/1", "2.55", { flavor: { name: "x" } })).status).toBe(400);
    const missing = await call("PUT", "/flavors/nope", "2.55", { flavor: { description: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toBe("Flavor nope could not be found.");

    const deleted = await call("DELETE", "/flavors/1", "2.1");
    expect(deleted.status).toBe(202);
    checks.add("delete_flavor", "2.1", deleted);
    expect((await call("GET", "/flavors/1", "2.1")).status).toBe(404);
    const again = await call("DELETE", "/flavors/1", "2.1");
    expect(again.status).toBe(404);
    expect(again.body.itemNotFound.message).toBe("Flavor 1 could not be found.");
    expect(checks.violations()).toEqual([]);
  });
});

describe("os-extra_specs", () => {
  it("sets, lists, shows, updates and deletes extra specs, numbers stored as strings", async () => {
    env = await startApi();
    const checks = schemaChecks();
    const module = "v2_1.flavors_extra_specs";
    const created = await call("POST", "/flavors/1/os-extra_specs", "2.1", {
      extra_specs: { "hw:cpu_policy": "dedicated", "custom key": "v" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ extra_specs: { "hw:cpu_policy": "dedicated", "custom key": "v" } });
    checks.add("set_get_flavor_extra_specs", "2.1", created, module);
    // A number is echoed as given and stored as its string.
    const numeric = await call("POST", "/flavors/1/os-extra_specs", "2.1", {
      extra_specs: { "hw:numa_nodes": 2 },
    });
    expect(numeric.body).toEqual({ extra_specs: { "hw:numa_nodes": 2 } });

    const listed = await call("GET", "/flavors/1/os-extra_specs", "2.1", undefined, MEMBER);
    expect(listed.body).toEqual({
      extra_specs: { "hw:cpu_policy": "dedicated", "custom key": "v", "hw:numa_nodes": "2" },
    });
    checks.add("set_get_flavor_extra_specs", "2.1", listed, module);
    const shown = await call("GET", "/flavors/1/os-extra_specs/hw:numa_nodes", "2.1", undefined, MEMBER);
    expect(shown.body).toEqual({ "hw:numa_nodes": "2" });
    checks.add("set_get_flavor_extra_specs_key", "2.1", shown, module);
    const put = await call("PUT", "/flavors/1/os-extra_specs/hw:cpu_policy", "2.1", {
      "hw:cpu_policy": "shared",
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ "hw:cpu_policy": "shared" });
    checks.add("set_get_flavor_extra_specs_key", "2.1", put, module);
    const mismatch = await call("PUT", "/flavors/1/os-extra_specs/other", "2.1", {
      "hw:cpu_policy": "shared",
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.badRequest.message).toBe("Request body and URI mismatch");
    const two = await call("PUT", "/flavors/1/os-extra_specs/a", "2.1", { a: "1", b: "2" });
    expect(two.status).toBe(400);

    // The flavor view shows them from 2.61.
    const view = await call("GET", "/flavors/1", "2.61", undefined, MEMBER);
    expect(view.body.flavor.extra_specs["hw:cpu_policy"]).toBe("shared");

    const deleted = await call("DELETE", "/flavors/1/os-extra_specs/custom key", "2.1");
    expect(deleted.status).toBe(200);
    checks.add("unset_flavor_extra_specs", "2.1", deleted, module);
    const gone = await call("GET", "/flavors/1/os-extra_specs/custom key", "2.1");
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.message).toBe("Flavor 1 has no extra specs with key custom key.");
    const again = await call("DELETE", "/flavors/1/os-extra_specs/custom key", "2.1");
    expect(again.status).toBe(404);
    expect((await call("GET", "/flavors/nope/os-extra_specs", "2.1")).status).toBe(404);
    expect(checks.violations()).toEqual([]);
  });

  it("checks key characters and value length at every version", async () => {
    env = await startApi();
    for (const extra_specs of [{ "bad/key": "v" }, { k: "x".repeat(256) }, { "": "v" }, { k: true }]) {
      const reply = await call("POST", "/flavors/1/os-extra_specs", "2.1", { extra_specs });
      expect(reply.status, JSON.stringify(extra_specs)).toBe(400);
    }
    // Numbers are taken (and stored as their string) where strings of 255 would be.
    const numeric = await call("POST", "/flavors/1/os-extra_specs", "2.1", { extra_specs: { k: 1.5 } });
    expect(numeric.status).toBe(200);
    expect((await call("GET", "/flavors/1/os-extra_specs/k", "2.1")).body).toEqual({ k: "1.5" });
  });

  it("validates known keys from 2.86 only; unknown namespaces pass", async () => {
    env = await startApi();
    const post = (version: string, extra_specs: Record<string, unknown>) =>
      call("POST", "/flavors/1/os-extra_specs", version, { extra_specs });
    expect((await post("2.85", { "hw:cpu_policy": "bogus" })).status).toBe(200);
    const refused: [Record<string, unknown>, string][] = [
      [{ "hw:cpu_policy": "bogus" }, "Validation failed; 'bogus' is not one of: dedicated, shared, mixed."],
      [{ "hw:numa_nodes": "0" }, "Validation failed; '0' is less than the min value of '1'."],
      [{ "hw:numa_nodes": "two" }, "Validation failed; 'two' is not a valid integer value."],
      [{ "os:monitors": 9 }, "Validation failed; '9' is greater than the max value of '8'."],
      [{ "hw_rng:allowed": "maybe" }, "Validation failed; 'maybe' is not a valid boolean-like value."],
      [
        { "hw:mem_page_size": "huge" },
        "Validation failed; 'huge' is not of the format '(large|small|any|\\d+([kKMGT]i?)?(b|bit|B)?)'.",
      ],
      [
        { "hw:no_such_thing": "1" },
        "Validation failed; extra spec 'hw:no_such_thing' does not appear to be a valid extra spec.",
      ],
      [
        { "resources:NOT_A_CLASS": "1" },
        "Validation failed; extra spec 'resources:NOT_A_CLASS' does not appear to be a valid extra spec.",
      ],
      [
        { "trait:HW_CPU_X86_AVX": "sometimes" },
        "Validation failed; 'sometimes' is not one of: required, forbidden.",
      ],
      [
        { "quota:cpu_shares_level": "max" },
        "Validation failed; 'max' is not one of: custom, high, normal, low.",
      ],
      [{ "hw_video:ram_max_mb": "-1" }, "Validation failed; '-1' is less than the min value of '0'."],
    ];
    for (const [specs, message] of refused) {
      const reply = await post("2.86", specs);
      expect(reply.status, JSON.stringify(specs)).toBe(400);
      expect(reply.body.badRequest.message).toBe(message);
    }
    const accepted = await post("2.86", {
      "hw:cpu_policy": "dedicated",
      "hw:numa_cpus.0": "0-1,^1",
      "hw:numa_mem.0": "512",
      "hw_rng:allowed": "True",
      "resources:VCPU": "0",
      "resources1:CUSTOM_GPU": "1",
      "trait:HW_CPU_X86_AVX": "required",
      "trait_group:CUSTOM_FOO": "forbidden",
      "quota:disk_read_bytes_sec": "10240",
      "os:secure_boot": "required",
      "hw_video:ram_max_mb": "64",
      "aggregate_instance_extra_specs:ssd": "true",
      "my_namespace:anything": "goes",
      plain: "too",
    });
    expect(accepted.status).toBe(200);
    // PUT validates the same way.
    const put = await call("PUT", "/flavors/1/os-extra_specs/hw:cpu_policy", "2.86", {
      "hw:cpu_policy": "x",
    });
    expect(put.status).toBe(400);
  });

  it("reads are for members, writes for admins", async () => {
    env = await startApi();
    expect((await call("GET", "/flavors/1/os-extra_specs", "2.1", undefined, MEMBER)).status).toBe(200);
    const create = await call(
      "POST",
      "/flavors/1/os-extra_specs",
      "2.1",
      { extra_specs: { a: "b" } },
      MEMBER,
    );
    expect(create.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-extra-specs:create to be performed.",
    );
    const update = await call("PUT", "/flavors/1/os-extra_specs/a", "2.1", { a: "b" }, MEMBER);
    expect(update.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-extra-specs:update to be performed.",
    );
    const del = await call("DELETE", "/flavors/1/os-extra_specs/a", "2.1", undefined, MEMBER);
    expect(del.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-extra-specs:delete to be performed.",
    );
  });
});

describe("os-flavor-access", () => {
  async function privateFlavor() {
    const created = await call(
      "POST",
      "/flavors",
      "2.1",
      flavorBody({ id: "priv", name: "private", "os-flavor-access:is_public": false }),
    );
    expect(created.status).toBe(200);
  }

  it("adds, lists and removes tenants of a private flavor", async () => {
    env = await startApi();
    const checks = schemaChecks();
    const module = "v2_1.flavors_access";
    await privateFlavor();
    const empty = await call("GET", "/flavors/priv/os-flavor-access", "2.1");
    expect(empty.body).toEqual({ flavor_access: [] });
    checks.add("add_remove_list_flavor_access", "2.1", empty, module);
    const added = await call("POST", "/flavors/priv/action", "2.7", {
      addTenantAccess: { tenant: "proj-c" },
    });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ flavor_access: [{ flavor_id: "priv", tenant_id: "proj-c" }] });
    checks.add("add_remove_list_flavor_access", "2.7", added, module);
    const twice = await call("POST", "/flavors/priv/action", "2.7", {
      addTenantAccess: { tenant: "proj-c" },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.conflictingRequest.message).toBe(
      "Flavor access already exists for flavor priv and project proj-c combination.",
    );
    const listed = await call("GET", "/flavors/priv/os-flavor-access", "2.1");
    expect(listed.body.flavor_access).toEqual([{ flavor_id: "priv", tenant_id: "proj-c" }]);
    const removed = await call("POST", "/flavors/priv/action", "2.1", {
      removeTenantAccess: { tenant: "proj-c" },
    });
    expect(removed.body).toEqual({ flavor_access: [] });
    checks.add("add_remove_list_flavor_access", "2.1", removed, module);
    const absent = await call("POST", "/flavors/priv/action", "2.1", {
      removeTenantAccess: { tenant: "proj-c" },
    });
    expect(absent.status).toBe(404);
    expect(absent.body.itemNotFound.message).toBe("Flavor access not found for priv / proj-c combination.");
    expect((await call("POST", "/flavors/priv/action", "2.1", { addTenantAccess: {} })).status).toBe(400);
    expect(checks.violations()).toEqual([]);
  });

  it("public flavors: no access list, and from 2.7 no access to add", async () => {
    env = await startApi();
    const list = await call("GET", "/flavors/1/os-flavor-access", "2.1");
    expect(list.status).toBe(404);
    expect(list.body.itemNotFound.message).toBe("Access list not available for public flavors.");
    const v27 = await call("POST", "/flavors/1/action", "2.7", { addTenantAccess: { tenant: "p" } });
    expect(v27.status).toBe(409);
    expect(v27.body.conflictingRequest.message).toBe("Can not add access to a public flavor.");
    // Before 2.7 Nova records it anyway.
    expect(
      (await call("POST", "/flavors/1/action", "2.6", { addTenantAccess: { tenant: "p" } })).status,
    ).toBe(200);
    expect(
      (await call("POST", "/flavors/nope/action", "2.7", { addTenantAccess: { tenant: "p" } })).status,
    ).toBe(404);
  });

  it("members see a private flavor only once their project has access; admins filter with is_public", async () => {
    env = await startApi();
    await privateFlavor();
    const ids = (reply: { body: Json }) => reply.body.flavors.map((f: Json) => f.id);
    expect((await call("GET", "/flavors/priv", "2.1", undefined, MEMBER)).status).toBe(404);
    expect(ids(await call("GET", "/flavors", "2.1", undefined, MEMBER))).not.toContain("priv");
    // A member's is_public filter is ignored.
    expect(ids(await call("GET", "/flavors?is_public=none", "2.1", undefined, MEMBER))).not.toContain("priv");
    const forbidden = await call(
      "POST",
      "/flavors/priv/action",
      "2.7",
      { addTenantAccess: { tenant: "proj-c" } },
      MEMBER,
    );
    expect(forbidden.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-access:add_tenant_access to be performed.",
    );
    const listForbidden = await call("GET", "/flavors/priv/os-flavor-access", "2.1", undefined, MEMBER);
    expect(listForbidden.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-access to be performed.",
    );

    await call("POST", "/flavors/priv/action", "2.7", { addTenantAccess: { tenant: "proj-c" } });
    expect((await call("GET", "/flavors/priv", "2.1", undefined, MEMBER)).status).toBe(200);
    expect(ids(await call("GET", "/flavors", "2.1", undefined, MEMBER))).toContain("priv");
    expect((await call("GET", "/flavors/priv/os-extra_specs", "2.1", undefined, MEMBER)).status).toBe(200);
    expect((await call("GET", "/flavors/priv", "2.1", undefined, OTHER)).status).toBe(404);
    expect(ids(await call("GET", "/flavors", "2.1", undefined, OTHER))).not.toContain("priv");

    expect(ids(await call("GET", "/flavors?is_public=false", "2.1"))).toEqual(["priv"]);
    expect(ids(await call("GET", "/flavors?is_public=none", "2.1"))).toContain("priv");
    expect(ids(await call("GET", "/flavors", "2.1"))).not.toContain("priv");
    expect((await call("GET", "/flavors?is_public=maybe", "2.1")).status).toBe(400);
  });
});
