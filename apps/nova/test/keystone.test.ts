// nova-ts behind a real Keystone (Debian's python3-keystone, started by the test on loopback): the all-in-one
// with `[api] auth_strategy = keystone`, python3-openstackclient logging in with a password and finding nova-ts
// in Keystone's catalog, project isolation between two projects' members, revoked and expired tokens, and a
// Keystone outage and return.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createApiServer, PolicyEnforcer } from "@nova/api";
import { FAKE_IMAGE_ID, FakeComputeBackend } from "@nova/api/test";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { createLogger } from "@nova/runtime";
import { KeystoneServer, type KeystoneUser, keystoneAvailable } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllInOne, createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

const run = promisify(execFile);
const OPENSTACK = "/usr/bin/openstack";
const enabled = (keystoneAvailable() && existsSync(OPENSTACK)) || !!process.env.NOVA_TEST_REQUIRE_SERVICES;

let keystone: KeystoneServer;
let nova: KeystoneUser;
let alice: KeystoneUser; // member of project-a
let bob: KeystoneUser; // member of project-b
let rita: KeystoneUser; // reader of project-a
let aio: AllInOne;
let dataDir: string;
let endpoint: string;

// biome-ignore lint/suspicious/noExplicitAny: Nova's JSON, pinned by the assertions
type Json = any;

async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${endpoint}${path}`, {
    method,
    headers: {
      "X-Auth-Token": token,
      "OpenStack-API-Version": "compute 2.37",
      "Content-Type": "application/json",
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Json) : undefined,
  };
}

/** An environment without the caller's OS_* settings: only the flags below configure openstackclient. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PYTHONWARNINGS: "ignore" };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OS_")) env[k] = v;
  return env;
}

/** `openstack` as a Keystone user types it: password auth against auth_url, everything else from the catalog. */
async function openstack(user: KeystoneUser, ...args: string[]): Promise<Json> {
  const auth = [
    ...["--os-auth-type", "password", "--os-auth-url", keystone.authUrl, "--os-identity-api-version", "3"],
    ...["--os-username", user.name, "--os-password", user.password, "--os-project-name", user.projectName],
    ...["--os-user-domain-name", "Default", "--os-project-domain-name", "Default"],
    ...["--os-region-name", keystone.region, "--os-interface", "public"],
  ];
  // Commands that print nothing (delete) take no format option.
  const format = args.includes("delete") ? [] : ["-f", "json"];
  const { stdout } = await run(OPENSTACK, [...auth, ...args, ...format], {
    env: cleanEnv(),
    timeout: 180_000,
  }).catch((err: { stderr?: string; message: string }) => {
    throw new Error(`openstack ${args.join(" ")} failed: ${err.stderr || err.message}`);
  });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

const UNAUTHORIZED = {
  unauthorized: { code: 401, message: "The request you have made requires authentication." },
};

describe.runIf(enabled)("nova-ts behind a real Keystone", () => {
  beforeAll(async () => {
    keystone = await KeystoneServer.start();
    nova = await keystone.createServiceUser("nova");
    alice = await keystone.createUser({ name: "alice", project: "project-a", roles: ["member"] });
    bob = await keystone.createUser({ name: "bob", project: "project-b", roles: ["member"] });
    const projectA = { id: alice.projectId, name: alice.projectName };
    rita = await keystone.createUser({ name: "rita", project: projectA, roles: ["reader"] });
    dataDir = mkdtempSync(join(tmpdir(), "nova-keystone-aio-"));
    aio = await createAllInOne({
      dataDir,
      apiPort: 0,
      env: {
        OS_DEFAULT__REPORT_INTERVAL: "1",
        OS_API__AUTH_STRATEGY: "keystone",
        OS_KEYSTONE_AUTHTOKEN__AUTH_URL: keystone.authUrl,
        OS_KEYSTONE_AUTHTOKEN__USERNAME: nova.name,
        OS_KEYSTONE_AUTHTOKEN__PASSWORD: nova.password,
        OS_KEYSTONE_AUTHTOKEN__PROJECT_NAME: nova.projectName,
        OS_KEYSTONE_AUTHTOKEN__WWW_AUTHENTICATE_URI: keystone.url,
        // One quick retry: an outage answers 503 within a second rather than after the default 3.5 s of retries.
        OS_KEYSTONE_AUTHTOKEN__HTTP_REQUEST_MAX_RETRIES: "1",
      },
      logger: createLogger("nova-test", { level: "warn" }),
    });
    for (const s of aio.services) await s.start();
    endpoint = `http://127.0.0.1:${aio.apiPort()}/v2.1`;
    await keystone.registerService({ type: "compute", name: "nova", url: endpoint });
    // openstackclient looks `--image` up in the image service of the catalog; nova-ts has no Glance, and its
    // image proxy (GET /v2.1/images) is what openstackclient reads with a direct endpoint too.
    await keystone.registerService({ type: "image", name: "glance", url: endpoint });
  }, 300_000);

  afterAll(async () => {
    for (const s of [...(aio?.services ?? [])].reverse()) await s.stop();
    await aio?.cleanup();
    await keystone?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  describe("the all-in-one with auth_strategy = keystone", () => {
    it("lets openstackclient log in with a password, find nova-ts in the catalog, and cycle a server", async () => {
      const created = await openstack(
        alice,
        ...[
          "--os-compute-api-version",
          "2.37",
          "server",
          "create",
          "--flavor",
          "1",
          "--image",
          DEFAULT_IMAGE_ID,
        ],
        ...["--nic", "none", "--wait", "osc-keystone"],
      );
      expect(created).toMatchObject({ name: "osc-keystone", status: "ACTIVE" });
      expect(created.project_id).toBe(alice.projectId);
      expect(created.user_id).toBe(alice.id);
      const listed: Json[] = await openstack(alice, "server", "list");
      expect(listed.map((s) => s.ID)).toContain(created.id);
      const shown = await openstack(alice, "server", "show", created.id);
      expect(shown).toMatchObject({ id: created.id, name: "osc-keystone", status: "ACTIVE" });
      await openstack(alice, "server", "delete", "--wait", created.id);
      const after: Json[] = await openstack(alice, "server", "list");
      expect(after.map((s) => s.ID)).not.toContain(created.id);
    }, 600_000);

    it("lets openstacksdk log in with a password, renew a revoked token on nova-ts's 401, and cycle a server", async () => {
      const script = fileURLToPath(new URL("./openstacksdk-keystone-cycle.py", import.meta.url));
      const args = [keystone.authUrl, bob.name, bob.password, bob.projectName, DEFAULT_IMAGE_ID, "1"];
      const { stdout } = await run("/usr/bin/python3", [script, ...args], {
        env: cleanEnv(),
        timeout: 300_000,
      }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`openstacksdk cycle failed: ${err.stderr || err.message}`);
      });
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
      expect(out.endpoint).toBe(endpoint);
      expect(out.flavors).toContain("1");
      expect(out.token_renewed).toBe(true);
      expect(out.created).toMatchObject({ status: "ACTIVE", project_id: bob.projectId });
      expect(out.got).toBe("ACTIVE");
      expect(out.listed).toContain(out.created.id);
      expect(out.after_delete).not.toContain(out.created.id);
    }, 600_000);

    it("keeps a member of one project away from another project's servers", async () => {
      const [aliceToken, bobToken, ritaToken] = await Promise.all(
        [alice, bob, rita].map((u) => keystone.issueToken(u)),
      );
      const boot = {
        server: { name: "a-only", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID, networks: "none" },
      };
      const created = await call(aliceToken!, "POST", "/servers", boot);
      expect(created.status).toBe(202);
      const id: string = created.body.server.id;
      expect((await call(aliceToken!, "GET", `/servers/${id}`)).body.server.tenant_id).toBe(alice.projectId);
      // Another project's member: neither in the list nor by id, nor through the other project's URL.
      const bobList = await call(bobToken!, "GET", "/servers");
      expect(bobList.status).toBe(200);
      expect(bobList.body.servers.map((s: Json) => s.id)).not.toContain(id);
      expect((await call(bobToken!, "GET", `/servers/${id}`)).status).toBe(404);
      expect((await call(bobToken!, "DELETE", `/servers/${id}`)).status).toBe(404);
      expect((await call(bobToken!, "GET", "/servers?all_tenants=1")).status).toBe(403);
      // A reader of the same project sees it; neither reader nor member reaches an admin API, an admin does.
      expect((await call(ritaToken!, "GET", `/servers/${id}`)).status).toBe(200);
      expect((await call(aliceToken!, "GET", "/os-services")).status).toBe(403);
      const adminToken = await keystone.issueToken({
        name: "admin",
        password: keystone.adminPassword,
        projectName: "admin",
      });
      expect((await call(adminToken, "GET", "/os-services")).status).toBe(200);
      const all = await call(adminToken, "GET", "/servers?all_tenants=1");
      expect(all.body.servers.map((s: Json) => s.id)).toContain(id);
      expect((await call(aliceToken!, "DELETE", `/servers/${id}`)).status).toBe(204);
    }, 120_000);

    it("answers 401 with WWW-Authenticate to a missing, unknown or revoked token, and keeps discovery open", async () => {
      expect((await fetch(`${endpoint.replace(/\/v2\.1$/, "")}/`)).status).toBe(200);
      expect((await fetch(endpoint)).status).toBe(200);
      const missing = await fetch(`${endpoint}/servers`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe(`Keystone uri="${keystone.url}"`);
      expect(await missing.json()).toEqual(UNAUTHORIZED);
      expect((await call("gAAAAABnot-a-real-fernet-token", "GET", "/servers")).status).toBe(401);
      const token = await keystone.issueToken(bob);
      await keystone.revokeToken(token);
      const revoked = await call(token, "GET", "/servers");
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual(UNAUTHORIZED);
    }, 60_000);

    it("answers 503 while Keystone is down and serves again once it is back, by itself", async () => {
      const token = await keystone.issueToken(alice);
      await keystone.stop();
      try {
        const down = await call(token, "GET", "/servers");
        expect(down.status).toBe(503);
        expect(down.body.serviceUnavailable.message).toMatch(/Keystone service is temporarily unavailable/);
      } finally {
        await keystone.restart();
      }
      expect((await call(token, "GET", "/servers")).status).toBe(200);
    }, 180_000);
  });

  describe("a real Keystone's tokens over time (the API's clock)", () => {
    async function apiWithClock(policy?: PolicyEnforcer) {
      const clock = new FakeClock(Date.now());
      const api = createApiServer({
        backend: new FakeComputeBackend(),
        logger: new MemoryLogger(),
        clock,
        ...(policy ? { policy } : {}),
        config: {
          auth_strategy: "keystone",
          keystone_authtoken: {
            auth_url: keystone.authUrl,
            username: nova.name,
            password: nova.password,
            project_name: nova.projectName,
          },
        },
      });
      const { port } = await api.listen(0);
      const get = async (token: string, path = "/flavors") =>
        (await fetch(`http://127.0.0.1:${port}/v2.1${path}`, { headers: { "X-Auth-Token": token } })).status;
      const post = async (token: string, path: string, body: unknown) =>
        (
          await fetch(`http://127.0.0.1:${port}/v2.1${path}`, {
            method: "POST",
            headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
            body: JSON.stringify(body),
          })
        ).status;
      return { clock, api, get, post };
    }

    it("honours a revoked token while its validation is cached, and refuses it after token_cache_time", async () => {
      const { clock, api, get } = await apiWithClock();
      try {
        const token = await keystone.issueToken(alice);
        expect(await get(token)).toBe(200);
        await keystone.revokeToken(token);
        expect(await get(token)).toBe(200); // keystonemiddleware's trade-off: revocation waits out the cache
        await clock.advance(300_000);
        expect(await get(token)).toBe(401);
      } finally {
        await api.close();
      }
    }, 60_000);

    it("gives Keystone's reader role read-only access under enforce_new_defaults", async () => {
      const { api, get, post } = await apiWithClock(new PolicyEnforcer({}, { enforceNewDefaults: true }));
      try {
        const boot = { server: { name: "r", flavorRef: "1", imageRef: FAKE_IMAGE_ID } };
        const [ritaToken, aliceToken] = await Promise.all([
          keystone.issueToken(rita),
          keystone.issueToken(alice),
        ]);
        expect(await get(ritaToken!, "/servers")).toBe(200);
        expect(await post(ritaToken!, "/servers", boot)).toBe(403);
        expect(await post(aliceToken!, "/servers", boot)).toBe(202);
      } finally {
        await api.close();
      }
    }, 60_000);

    it("refuses a token past its expiry, which Keystone set an hour ahead", async () => {
      const { clock, api, get } = await apiWithClock();
      try {
        const token = await keystone.issueToken(bob);
        expect(await get(token)).toBe(200);
        // Keystone's default lifetime is an hour from issue, in whole seconds; a minute more is surely past it.
        await clock.advance(3_660_000);
        expect(await get(token)).toBe(401);
      } finally {
        await api.close();
      }
    }, 60_000);
  });
});
