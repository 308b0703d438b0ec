import { FAKE_IMAGE_ID } from "@nova/api/test";
import { tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// os-quota-sets, os-quota-class-sets and /limits as Nova 26 answers them (nova/api/openstack/compute/
// quota_sets.py, quota_classes.py, limits.py), each microversion boundary from both sides, every 2xx body
// checked against the tempest schema of its microversion.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
let env: Awaited<ReturnType<typeof startApi>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const QUOTAS = "quotas_client.QuotasClient";
const CLASSES = "quota_classes_client.QuotaClassesClient";
const LIMITS = "limits_client.LimitsClient";
const MEMBER = "alice:a11ce";

async function call(
  method: string,
  path: string,
  options: { version?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json }> {
  env ??= await startApi();
  const response = await env.fetch(`/v2.1${path}`, {
    method,
    headers: {
      "X-Auth-Token": options.token ?? "admin:admin",
      "OpenStack-API-Version": `compute ${options.version ?? "2.1"}`,
      ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

const get = (path: string, version = "2.1", token?: string) =>
  call("GET", path, { version, ...(token ? { token } : {}) });

async function boot(count: number, flavorRef = "3", token = MEMBER, metadata?: Record<string, string>) {
  return call("POST", "/servers", {
    token,
    body: {
      server: {
        name: "q",
        flavorRef,
        imageRef: FAKE_IMAGE_ID,
        min_count: count,
        ...(metadata ? { metadata } : {}),
      },
    },
  });
}

const NOVA_DEFAULTS = {
  instances: 10,
  cores: 20,
  ram: 51200,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
};
const NETWORK = { fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1 };

describe("os-quota-sets", () => {
  it("shows the defaults, nova-network's quotas until 2.35 and the personality ones until 2.56", async () => {
    const v21 = await get("/os-quota-sets/a11ce");
    expect(v21).toEqual({ status: 200, body: { quota_set: { id: "a11ce", ...NOVA_DEFAULTS, ...NETWORK } } });
    const v235 = await get("/os-quota-sets/a11ce", "2.35");
    expect(Object.keys(v235.body.quota_set)).toContain("floating_ips");
    const v236 = await get("/os-quota-sets/a11ce", "2.36");
    expect(v236.body.quota_set).toEqual({ id: "a11ce", ...NOVA_DEFAULTS });
    const v256 = await get("/os-quota-sets/a11ce", "2.56");
    expect(v256.body.quota_set.injected_files).toBe(5);
    const v257 = await get("/os-quota-sets/a11ce", "2.57");
    const { injected_files, injected_file_content_bytes, injected_file_path_bytes, ...rest } = NOVA_DEFAULTS;
    expect(v257.body.quota_set).toEqual({ id: "a11ce", ...rest });
    const defaults = await get("/os-quota-sets/a11ce/defaults", "2.57", MEMBER);
    expect(defaults.body.quota_set).toEqual({ id: "a11ce", ...rest });
    expect(
      tempestViolations([
        ...[v21, v235, v236, v256, v257].map((r, i) => ({
          client: QUOTAS,
          schema: "get_quota_set",
          version: ["2.1", "2.35", "2.36", "2.56", "2.57"][i]!,
          ...r,
        })),
        { client: QUOTAS, schema: "get_quota_set", version: "2.57", ...defaults },
      ]),
    ).toEqual([]);
  });

  it("lets a project's members read its quotas but not another project's, and only admins change them", async () => {
    expect((await get("/os-quota-sets/a11ce", "2.1", MEMBER)).status).toBe(200);
    const other = await get("/os-quota-sets/b0b", "2.1", MEMBER);
    expect(other).toEqual({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.",
        },
      },
    });
    const put = await call("PUT", "/os-quota-sets/a11ce", {
      token: MEMBER,
      body: { quota_set: { cores: 5 } },
    });
    expect(put.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.",
    );
    const del = await call("DELETE", "/os-quota-sets/a11ce", { token: MEMBER });
    expect(del.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-quota-sets:delete to be performed.",
    );
  });

  it("counts usage in detail (reserved 0) and refuses a limit below it unless forced", async () => {
    expect((await boot(3)).status).toBe(202); // 3 x m1.medium: 6 cores, 12288 MiB
    const detail = await get("/os-quota-sets/a11ce/detail", "2.1", MEMBER);
    expect(detail.status).toBe(200);
    expect(detail.body.quota_set.instances).toEqual({ in_use: 3, limit: 10, reserved: 0 });
    expect(detail.body.quota_set.cores).toEqual({ in_use: 6, limit: 20, reserved: 0 });
    expect(detail.body.quota_set.ram).toEqual({ in_use: 12288, limit: 51200, reserved: 0 });
    expect(detail.body.quota_set.key_pairs).toEqual({ in_use: 0, limit: 100, reserved: 0 });
    const d257 = await get("/os-quota-sets/a11ce/detail", "2.57", MEMBER);
    expect(d257.body.quota_set.injected_files).toBeUndefined();

    const below = await call("PUT", "/os-quota-sets/a11ce", {
      body: { quota_set: { instances: 5, cores: 4 } },
    });
    expect(below).toEqual({
      status: 400,
      body: {
        badRequest: {
          code: 400,
          message: "Quota limit 4 for cores must be greater than or equal to already used and reserved 6.",
        },
      },
    });
    // Nothing was written: the instances limit in the same body did not change either.
    expect((await get("/os-quota-sets/a11ce")).body.quota_set.instances).toBe(10);
    const forced = await call("PUT", "/os-quota-sets/a11ce", {
      body: { quota_set: { instances: "5", cores: 4, force: "True" } },
    });
    expect(forced.status).toBe(200);
    expect(forced.body.quota_set).toEqual({ ...NOVA_DEFAULTS, ...NETWORK, instances: 5, cores: 4 });
    expect(
      tempestViolations([
        { client: QUOTAS, schema: "get_quota_set_details", version: "2.1", ...detail },
        { client: QUOTAS, schema: "get_quota_set_details", version: "2.57", ...d257 },
        { client: QUOTAS, schema: "update_quota_set", version: "2.1", ...forced },
      ]),
    ).toEqual([]);
  });

  it("refuses nova-network's quotas: networks always, the others from 2.36 by schema; personality from 2.57", async () => {
    const networks = await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { networks: 3 } } });
    expect(networks).toEqual({
      status: 400,
      body: { badRequest: { code: 400, message: "The networks quota has been removed" } },
    });
    const fixed235 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.35",
      body: { quota_set: { fixed_ips: 3 } },
    });
    expect(fixed235.status).toBe(200);
    expect(fixed235.body.quota_set.fixed_ips).toBe(3);
    const fixed236 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.36",
      body: { quota_set: { fixed_ips: 3 } },
    });
    expect(fixed236.status).toBe(400);
    expect(fixed236.body.badRequest.message).toContain("'fixed_ips' was unexpected");
    const files256 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.56",
      body: { quota_set: { injected_files: 2 } },
    });
    expect(files256.status).toBe(200);
    const files257 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.57",
      body: { quota_set: { injected_files: 2 } },
    });
    expect(files257.status).toBe(400);
    const huge = await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { cores: 2 ** 31 } } });
    expect(huge.status).toBe(400);
    const cores236 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.36",
      body: { quota_set: { cores: 9 } },
    });
    expect(cores236.body.quota_set.fixed_ips).toBeUndefined();
    expect(cores236.body.quota_set.injected_files).toBe(2);
    const cores257 = await call("PUT", "/os-quota-sets/a11ce", {
      version: "2.57",
      body: { quota_set: { cores: 8 } },
    });
    expect(cores257.body.quota_set.injected_files).toBeUndefined();
    expect(cores257.body.quota_set.cores).toBe(8);
    expect(
      tempestViolations([
        { client: QUOTAS, schema: "update_quota_set", version: "2.35", ...fixed235 },
        { client: QUOTAS, schema: "update_quota_set", version: "2.36", ...cores236 },
        { client: QUOTAS, schema: "update_quota_set", version: "2.56", ...files256 },
        { client: QUOTAS, schema: "update_quota_set", version: "2.57", ...cores257 },
      ]),
    ).toEqual([]);
  });

  it("sets a user's quota within what the project has left, and deletes back to the defaults", async () => {
    await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { instances: 6 } } });
    await call("PUT", "/os-quota-sets/a11ce?user_id=bob", { body: { quota_set: { instances: 4 } } });
    const tooMany = await call("PUT", "/os-quota-sets/a11ce?user_id=alice", {
      body: { quota_set: { instances: 3 } },
    });
    expect(tooMany.body).toEqual({
      badRequest: { code: 400, message: "Quota limit 3 for instances must be less than or equal to 2." },
    });
    const ok = await call("PUT", "/os-quota-sets/a11ce?user_id=alice", {
      body: { quota_set: { instances: 2 } },
    });
    expect(ok.status).toBe(200);
    expect((await get("/os-quota-sets/a11ce?user_id=alice")).body.quota_set.instances).toBe(2);
    expect((await get("/os-quota-sets/a11ce")).body.quota_set.instances).toBe(6);
    // The project may not go below what its users were given.
    const low = await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { instances: 5 } } });
    expect(low.body.badRequest.message).toBe(
      "Quota limit 5 for instances must be greater than or equal to already used and reserved 6.",
    );
    expect((await call("DELETE", "/os-quota-sets/a11ce?user_id=alice")).status).toBe(202);
    expect((await get("/os-quota-sets/a11ce?user_id=alice")).body.quota_set.instances).toBe(6);
    expect((await call("DELETE", "/os-quota-sets/a11ce")).status).toBe(202);
    expect((await get("/os-quota-sets/a11ce?user_id=bob")).body.quota_set.instances).toBe(10);
  });

  it("refuses unknown query parameters from 2.75 only", async () => {
    expect((await get("/os-quota-sets/a11ce?foo=1", "2.74")).status).toBe(200);
    const v275 = await get("/os-quota-sets/a11ce?foo=1", "2.75");
    expect(v275.body.badRequest.message).toBe("Additional properties are not allowed ('foo' was unexpected)");
  });
});

describe("os-quota-class-sets", () => {
  it("shows the default class without server group quotas before 2.50 and without nova-network's from 2.50", async () => {
    const v21 = await get("/os-quota-class-sets/default");
    const { server_groups, server_group_members, ...withoutGroups } = NOVA_DEFAULTS;
    expect(v21.body).toEqual({ quota_class_set: { id: "default", ...withoutGroups, ...NETWORK } });
    const v249 = await get("/os-quota-class-sets/default", "2.49");
    const v250 = await get("/os-quota-class-sets/default", "2.50");
    expect(v250.body).toEqual({ quota_class_set: { id: "default", ...NOVA_DEFAULTS } });
    const v257 = await get("/os-quota-class-sets/default", "2.57");
    expect(v257.body.quota_class_set.injected_files).toBeUndefined();
    expect(v257.body.quota_class_set.server_groups).toBe(10);
    expect((await get("/os-quota-class-sets/default", "2.1", MEMBER)).body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed.",
    );
    expect(
      tempestViolations(
        [v21, v249, v250, v257].map((r, i) => ({
          client: CLASSES,
          schema: "get_quota_class_set",
          version: ["2.1", "2.49", "2.50", "2.57"][i]!,
          ...r,
        })),
      ),
    ).toEqual([]);
  });

  it("the default class changes every project's defaults; other classes change nothing", async () => {
    const updated = await call("PUT", "/os-quota-class-sets/default", {
      version: "2.50",
      body: { quota_class_set: { instances: 7, server_groups: 3 } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.quota_class_set).toEqual({ ...NOVA_DEFAULTS, instances: 7, server_groups: 3 });
    const gold = await call("PUT", "/os-quota-class-sets/gold", { body: { quota_class_set: { cores: 99 } } });
    expect(gold.body.quota_class_set.cores).toBe(99);
    expect((await get("/os-quota-class-sets/gold")).body.quota_class_set.cores).toBe(99);
    const project = await get("/os-quota-sets/a11ce", "2.57");
    expect(project.body.quota_set).toMatchObject({ instances: 7, server_groups: 3, cores: 20 });
    expect((await get("/os-quota-sets/a11ce/defaults", "2.57")).body.quota_set.instances).toBe(7);
    const v257 = await call("PUT", "/os-quota-class-sets/default", {
      version: "2.57",
      body: { quota_class_set: { injected_files: 1 } },
    });
    expect(v257.status).toBe(400);
    const net = await call("PUT", "/os-quota-class-sets/default", {
      version: "2.50",
      body: { quota_class_set: { floating_ips: 1 } },
    });
    expect(net.status).toBe(400);
    const v249 = await call("PUT", "/os-quota-class-sets/default", {
      version: "2.49",
      body: { quota_class_set: { ram: 4096 } },
    });
    expect(v249.body.quota_class_set.server_groups).toBeUndefined();
    expect(v249.body.quota_class_set.ram).toBe(4096);
    const ok257 = await call("PUT", "/os-quota-class-sets/default", {
      version: "2.57",
      body: { quota_class_set: { key_pairs: 5 } },
    });
    expect(ok257.body.quota_class_set).toMatchObject({ key_pairs: 5, server_groups: 3 });
    expect(ok257.body.quota_class_set.injected_files).toBeUndefined();
    expect(
      tempestViolations([
        { client: CLASSES, schema: "update_quota_class_set", version: "2.50", ...updated },
        { client: CLASSES, schema: "update_quota_class_set", version: "2.1", ...gold },
        { client: CLASSES, schema: "update_quota_class_set", version: "2.49", ...v249 },
        { client: CLASSES, schema: "update_quota_class_set", version: "2.57", ...ok257 },
      ]),
    ).toEqual([]);
  });
});

describe("/limits", () => {
  it("answers absolute limits and usage per microversion, with an empty rate list", async () => {
    expect((await boot(2)).status).toBe(202);
    const v21 = await get("/limits", "2.1", MEMBER);
    expect(v21.body).toEqual({
      limits: {
        rate: [],
        absolute: {
          maxTotalInstances: 10,
          maxTotalCores: 20,
          maxTotalRAMSize: 51200,
          maxServerMeta: 128,
          maxImageMeta: 128,
          maxPersonality: 5,
          maxPersonalitySize: 10240,
          maxTotalKeypairs: 100,
          maxServerGroups: 10,
          maxServerGroupMembers: 10,
          maxTotalFloatingIps: -1,
          maxSecurityGroups: -1,
          maxSecurityGroupRules: -1,
          totalInstancesUsed: 2,
          totalCoresUsed: 4,
          totalRAMUsed: 8192,
          totalServerGroupsUsed: 0,
          totalFloatingIpsUsed: 0,
          totalSecurityGroupsUsed: 0,
        },
      },
    });
    const v235 = await get("/limits", "2.35", MEMBER);
    const v236 = await get("/limits", "2.36", MEMBER);
    expect(v236.body.limits.absolute.maxTotalFloatingIps).toBeUndefined();
    expect(v236.body.limits.absolute.totalSecurityGroupsUsed).toBeUndefined();
    expect(v236.body.limits.absolute.maxImageMeta).toBe(128);
    const v239 = await get("/limits", "2.39", MEMBER);
    expect(v239.body.limits.absolute.maxImageMeta).toBeUndefined();
    expect(v239.body.limits.absolute.maxPersonality).toBe(5);
    const v257 = await get("/limits", "2.57", MEMBER);
    expect(Object.keys(v257.body.limits.absolute).sort()).toEqual(
      [
        "maxServerGroupMembers",
        "maxServerGroups",
        "maxServerMeta",
        "maxTotalCores",
        "maxTotalInstances",
        "maxTotalKeypairs",
        "maxTotalRAMSize",
        "totalCoresUsed",
        "totalInstancesUsed",
        "totalRAMUsed",
        "totalServerGroupsUsed",
      ].sort(),
    );
    expect(
      tempestViolations(
        [v21, v235, v236, v239, v257].map((r, i) => ({
          client: LIMITS,
          schema: "get_limit",
          version: ["2.1", "2.35", "2.36", "2.39", "2.57"][i]!,
          ...r,
        })),
      ),
    ).toEqual([]);
  });

  it("shows another project's limits to admins only (tenant_id)", async () => {
    expect((await boot(1)).status).toBe(202);
    const admin = await get("/limits?tenant_id=a11ce", "2.57");
    expect(admin.body.limits.absolute.totalInstancesUsed).toBe(1);
    expect((await get("/limits", "2.57")).body.limits.absolute.totalInstancesUsed).toBe(0);
    const member = await get("/limits?tenant_id=b0b", "2.57", MEMBER);
    expect(member.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:limits:other_project to be performed.",
    );
    expect((await get("/limits?foo=1", "2.75", MEMBER)).status).toBe(400);
  });
});

describe("quota enforcement on boot", () => {
  it("words an over-quota boot as Nova's TooManyInstances, naming every resource over", async () => {
    await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { cores: 20 } } });
    expect((await boot(4, "5")).status).toBe(403); // 4 x 8 cores
    expect((await boot(2, "5")).status).toBe(202); // 16 cores
    const over = await boot(1, "4"); // 4 more cores: 20 is the limit, so 16 + 4 fits
    expect(over.status).toBe(202);
    const refused = await boot(1, "3");
    expect(refused).toEqual({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Quota exceeded for cores: Requested 2, but already used 20 of 20 cores",
        },
      },
    });
    await call("PUT", "/os-quota-sets/a11ce", {
      body: { quota_set: { instances: 3, ram: 40000, force: true } },
    });
    const both = await boot(1, "5");
    expect(both.body.forbidden.message).toBe(
      "Quota exceeded for instances, cores, ram: Requested 1, 8, 16384, but already used 3, 20, 40960 of 3, 20, 40000 instances, cores, ram",
    );
  });

  it("builds fewer than max_count when the quota allows at least min_count, as Nova", async () => {
    await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { instances: 3 } } });
    const some = await call("POST", "/servers", {
      token: MEMBER,
      body: {
        server: { name: "m", flavorRef: "1", imageRef: FAKE_IMAGE_ID, min_count: 2, max_count: 5 },
      },
    });
    expect(some.status).toBe(202);
    const listed = await get("/servers?name=^m", "2.1", MEMBER);
    expect(listed.body.servers).toHaveLength(3);
    const none = await call("POST", "/servers", {
      token: MEMBER,
      body: { server: { name: "n", flavorRef: "1", imageRef: FAKE_IMAGE_ID, min_count: 1, max_count: 2 } },
    });
    expect(none.body.forbidden.message).toBe(
      "Quota exceeded for instances: Requested 1-2, but already used 3 of 3 instances",
    );
  });

  it("checks metadata items against the project's metadata_items limit", async () => {
    await call("PUT", "/os-quota-sets/a11ce", { body: { quota_set: { metadata_items: 2 } } });
    expect((await boot(1, "1", MEMBER, { a: "1", b: "2" })).status).toBe(202);
    const over = await boot(1, "1", MEMBER, { a: "1", b: "2", c: "3" });
    expect(over).toEqual({
      status: 403,
      body: { forbidden: { code: 403, message: "Maximum number of metadata items exceeds 2" } },
    });
    // Another project keeps the default.
    expect((await boot(1, "1", "carol:ca401", { a: "1", b: "2", c: "3" })).status).toBe(202);
  });
});
