import { PolicyEnforcer } from "@nova/api";
import { FAKE_IMAGE_ID } from "@nova/api/test";
import { tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
type Env = Awaited<ReturnType<typeof startApi>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const BOOT = { name: "web-1", flavorRef: "1", imageRef: FAKE_IMAGE_ID };
// noauth2 tokens `user:project`: alice and ann share a project, bob has his own.
const ALICE = "alice:a11ce";
const ANN = "ann:a11ce";
const BOB = "bob:b0b";
const ADMIN = "admin:admin";
const SERVERS_CLIENT = "servers_client.ServersClient";

async function call(token: string, method: string, path: string, version = "2.1", body?: unknown) {
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

function policyMessage(rule: string): string {
  return `Policy doesn't allow ${rule} to be performed.`;
}

/** Starts the API (Zed's defaults, or a policy file's rules) with one ACTIVE server of alice's. */
async function withAliceServer(overrides: Record<string, string> = {}): Promise<string> {
  env = await startApi({ policy: new PolicyEnforcer(overrides) });
  const created = await call(ALICE, "POST", "/servers", "2.1", { server: BOOT });
  expect(created.status).toBe(202);
  env.fake.settle();
  return created.body.server.id as string;
}

describe("servers: a member never reaches another project's servers", () => {
  it("answers 404 to every server call from another project, whatever the action", async () => {
    const id = await withAliceServer();
    const attempts: [string, string, unknown?][] = [
      ["GET", `/servers/${id}`],
      ["DELETE", `/servers/${id}`],
      ["POST", `/servers/${id}/action`, { "os-stop": null }],
      ["POST", `/servers/${id}/action`, { "os-start": null }],
      ["POST", `/servers/${id}/action`, { pause: null }],
      ["POST", `/servers/${id}/action`, { unpause: null }],
      ["POST", `/servers/${id}/action`, { reboot: { type: "HARD" } }],
      ["POST", `/servers/${id}/action`, { "os-getConsoleOutput": {} }],
    ];
    for (const [method, path, body] of attempts) {
      const reply = await call(BOB, method, path, "2.1", body);
      expect([method, path, reply.status]).toEqual([method, path, 404]);
    }
    expect((await call(BOB, "GET", "/servers/detail")).body.servers).toEqual([]);
    // A member of the owning project passes project_member_or_admin as its owner does.
    expect((await call(ANN, "GET", `/servers/${id}`)).status).toBe(200);
    expect((await call(ANN, "POST", `/servers/${id}/action`, "2.1", { pause: null })).status).toBe(202);
  });

  it("shows extended attributes and host status to admins only, as Zed's defaults say", async () => {
    const id = await withAliceServer();
    const member = await call(ALICE, "GET", `/servers/${id}`, "2.16");
    const admin = await call(ADMIN, "GET", `/servers/${id}`, "2.16");
    expect(member.status).toBe(200);
    expect(member.body.server).not.toHaveProperty("OS-EXT-SRV-ATTR:host");
    expect(member.body.server).not.toHaveProperty("host_status");
    expect(admin.body.server["OS-EXT-SRV-ATTR:host"]).toBeTruthy();
    expect(admin.body.server.host_status).toBe("UP");
    expect((await call(ALICE, "GET", `/servers/${id}`, "2.47")).body.server.flavor).toHaveProperty(
      "extra_specs",
    );
    const member290 = await call(ALICE, "GET", `/servers/${id}`, "2.90");
    expect(member290.body.server["OS-EXT-SRV-ATTR:hostname"]).toBe("web-1");
    expect(member290.body.server).not.toHaveProperty("OS-EXT-SRV-ATTR:host");
    expect(
      tempestViolations([
        { client: SERVERS_CLIENT, schema: "get_server", version: "2.16", ...member },
        { client: SERVERS_CLIENT, schema: "get_server", version: "2.16", ...admin },
        { client: SERVERS_CLIENT, schema: "get_server", version: "2.90", ...member290 },
      ]),
    ).toEqual([]);
  });

  it("follows a policy file: extended attributes, all filters and host status for members; no deletes", async () => {
    const id = await withAliceServer({
      "os_compute_api:os-extended-server-attributes": "role:member",
      "os_compute_api:servers:allow_all_filters": "role:member",
      "os_compute_api:servers:show:host_status": "role:member",
      "os_compute_api:servers:delete": "!",
      "os_compute_api:servers:show:flavor-extra-specs": "!",
    });
    const flavorShown = await call(ALICE, "GET", `/servers/${id}`, "2.47");
    expect(flavorShown.body.server.flavor.original_name).toBe("m1.tiny");
    expect(flavorShown.body.server.flavor).not.toHaveProperty("extra_specs");
    expect((await call(ALICE, "GET", "/servers/detail", "2.47")).body.servers[0].flavor).not.toHaveProperty(
      "extra_specs",
    );
    const shown = await call(ALICE, "GET", `/servers/${id}`, "2.16");
    expect(shown.body.server["OS-EXT-SRV-ATTR:host"]).toBeTruthy();
    expect(shown.body.server.host_status).toBe("UP");
    // With allow_all_filters the admin-only `host` filter applies to the member's list.
    expect((await call(ALICE, "GET", "/servers?host=no-such-host")).body.servers).toEqual([]);
    const deleted = await call(ALICE, "DELETE", `/servers/${id}`);
    expect(deleted.status).toBe(403);
    expect(deleted.body.forbidden.message).toBe(policyMessage("os_compute_api:servers:delete"));
    expect(
      tempestViolations([{ client: SERVERS_CLIENT, schema: "get_server", version: "2.16", ...shown }]),
    ).toEqual([]);
  });

  it("without allow_all_filters a member's admin-only filters are dropped, not applied", async () => {
    const id = await withAliceServer();
    const listed = await call(ALICE, "GET", "/servers?host=no-such-host");
    expect(listed.body.servers.map((s: Json) => s.id)).toEqual([id]);
  });

  it("checks create and every action by its own rule name", async () => {
    const id = await withAliceServer({
      // alice may still boot the server the other calls are about; ann, in her project, may not.
      "os_compute_api:servers:create": "role:admin or user_id:alice",
      "os_compute_api:servers:reboot": "role:admin",
      "os_compute_api:os-pause-server:pause": "role:admin",
      "os_compute_api:servers:stop": "role:admin",
      "os_compute_api:os-console-output": "role:admin",
      "os_compute_api:servers:index": "role:admin",
      "os_compute_api:servers:show": "role:admin",
    });
    const cases: [string, string, string, unknown?][] = [
      ["os_compute_api:servers:create", "POST", "/servers", { server: BOOT }],
      ["os_compute_api:servers:reboot", "POST", `/servers/${id}/action`, { reboot: { type: "SOFT" } }],
      ["os_compute_api:os-pause-server:pause", "POST", `/servers/${id}/action`, { pause: null }],
      ["os_compute_api:servers:stop", "POST", `/servers/${id}/action`, { "os-stop": null }],
      ["os_compute_api:os-console-output", "POST", `/servers/${id}/action`, { "os-getConsoleOutput": {} }],
      ["os_compute_api:servers:index", "GET", "/servers"],
      ["os_compute_api:servers:show", "GET", `/servers/${id}`],
    ];
    for (const [rule, method, path, body] of cases) {
      const reply = await call(ANN, method, path, "2.1", body);
      expect([rule, reply.status, reply.body?.forbidden?.message]).toEqual([rule, 403, policyMessage(rule)]);
    }
    // As Nova, the query is validated before the list's rule is checked.
    expect((await call(ANN, "GET", "/servers?limit=-1")).status).toBe(400);
    // Rules the file leaves alone keep their defaults.
    expect((await call(ANN, "GET", "/servers/detail")).status).toBe(200);
  });
});

describe("os-keypairs: a user's key pairs are its own", () => {
  it("refuses another user's key pairs to a member at 2.10 and allows them to an admin", async () => {
    env = await startApi();
    const created = await call(ADMIN, "POST", "/os-keypairs", "2.10", {
      keypair: { name: "k", user_id: "alice" },
    });
    expect(created.status).toBe(201);
    const cases: [string, string, string, unknown?][] = [
      ["index", "GET", "/os-keypairs?user_id=alice"],
      ["show", "GET", "/os-keypairs/k?user_id=alice"],
      ["delete", "DELETE", "/os-keypairs/k?user_id=alice"],
      ["create", "POST", "/os-keypairs", { keypair: { name: "k2", user_id: "alice" } }],
    ];
    for (const [action, method, path, body] of cases) {
      const reply = await call(BOB, method, path, "2.10", body);
      const rule = `os_compute_api:os-keypairs:${action}`;
      expect([rule, reply.status, reply.body?.forbidden?.message]).toEqual([rule, 403, policyMessage(rule)]);
    }
    expect((await call(ALICE, "GET", "/os-keypairs/k", "2.10")).status).toBe(200);
    expect((await call(ADMIN, "GET", "/os-keypairs?user_id=alice", "2.10")).body.keypairs).toHaveLength(1);
  });
});

describe("admin APIs answer a member 403 with their rule names", () => {
  it("os-services and os-hypervisors", async () => {
    env = await startApi();
    const cases: [string, string][] = [
      ["os_compute_api:os-services:list", "/os-services"],
      ["os_compute_api:os-hypervisors:list", "/os-hypervisors"],
      ["os_compute_api:os-hypervisors:list-detail", "/os-hypervisors/detail"],
      ["os_compute_api:os-hypervisors:statistics", "/os-hypervisors/statistics"],
    ];
    for (const [rule, path] of cases) {
      const reply = await call(ALICE, "GET", path);
      expect([rule, reply.status, reply.body?.forbidden?.message]).toEqual([rule, 403, policyMessage(rule)]);
      expect((await call(ADMIN, "GET", path)).status).toBe(200);
    }
  });
});
