// @nova/client against a real Keystone (Debian's python3-keystone, one per file through @nova/testing) in front
// of nova-ts's API with `auth_strategy = keystone`: password, token and application credential logins, the
// compute endpoint found in the catalog by region and interface, token renewal before expiry and after a
// revocation, project isolation as typed errors, and clouds.yaml / OS_* variables naming that Keystone.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { KeystoneServer, type KeystoneUser, keystoneAvailable } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../../api/test/start-api.js";
import {
  type ClientEvent,
  ComputeClient,
  type CreateComputeClientOptions,
  createComputeClient,
  EndpointNotFoundError,
  ForbiddenError,
  fromEnvironment,
  type KeystoneAuthOptions,
  KeystoneSession,
  NotFoundError,
  UnauthorizedError,
} from "../src/index.js";

const enabled = keystoneAvailable() || !!process.env.NOVA_TEST_REQUIRE_SERVICES;
const BOOT = { name: "ks-1", flavorRef: "1", imageRef: FAKE_IMAGE_ID, networks: "none" as const };

let keystone: KeystoneServer;
let api: Awaited<ReturnType<typeof startApi>>;
let alice: KeystoneUser; // member of project-a
let bob: KeystoneUser; // member of project-b
let dir: string;

/** Password login as `user`, scoped to its project, the compute endpoint from the catalog. */
function passwordAuth(user: KeystoneUser, extra: Partial<KeystoneAuthOptions> = {}): KeystoneAuthOptions {
  return {
    authUrl: keystone.authUrl,
    auth: { type: "password", username: user.name, password: user.password, userDomainName: "Default" },
    projectName: user.projectName,
    projectDomainName: "Default",
    regionName: keystone.region,
    interface: "public",
    ...extra,
  };
}

/** A client that records its events; Keystone's token requests are among them. */
async function connect(options: CreateComputeClientOptions) {
  const events: ClientEvent[] = [];
  const client = await createComputeClient({ ...options, onEvent: (e) => events.push(e) });
  return { client, events, logins: () => logins(events), endpoints: () => endpoints(events) };
}

function logins(events: ClientEvent[]): number {
  return events.filter((e) => e.type === "request" && e.method === "POST" && e.url.endsWith("/auth/tokens"))
    .length;
}

/** The compute endpoints the client sent requests to (each URL up to `/v2.1`). */
function endpoints(events: ClientEvent[]): string[] {
  const urls = events.flatMap((e) => (e.type === "request" && e.url.includes("/v2.1") ? [e.url] : []));
  return [...new Set(urls.map((u) => u.slice(0, u.indexOf("/v2.1") + 5)))];
}

async function ids(client: ComputeClient): Promise<string[]> {
  const out: string[] = [];
  for await (const s of client.servers.list()) out.push(s.id);
  return out;
}

describe.runIf(enabled)("@nova/client with a real Keystone", () => {
  beforeAll(async () => {
    keystone = await KeystoneServer.start();
    const nova = await keystone.createServiceUser("nova");
    [alice, bob] = await Promise.all([
      keystone.createUser({ name: "alice", project: "project-a", roles: ["member"] }),
      keystone.createUser({ name: "bob", project: "project-b", roles: ["member"] }),
    ]);
    api = await startApi({
      fake: { autoSettle: true },
      config: {
        auth_strategy: "keystone",
        keystone_authtoken: {
          auth_url: keystone.authUrl,
          username: nova.name,
          password: nova.password,
          project_name: nova.projectName,
          // Every request asks Keystone: a revoked token is refused at once (no cached answer to wait out).
          token_cache_time: -1,
        },
      },
    });
    await keystone.registerService({ type: "compute", name: "nova", url: api.endpoint });
    dir = mkdtempSync(join(tmpdir(), "nova-client-keystone-"));
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await keystone?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("logs in with a password, finds nova-ts in the catalog, and boots, lists and deletes a server", async () => {
    const { client, logins, endpoints } = await connect({ keystone: passwordAuth(alice) });
    const { id } = await client.createServer(BOOT);
    const server = await client.waitForServer(id, "ACTIVE", { intervalMs: 1 });
    expect(server).toMatchObject({ name: "ks-1", tenant_id: alice.projectId, user_id: alice.id });
    expect(await ids(client)).toContain(id);
    await client.deleteServer(id);
    await client.waitForServerDeleted(id, { intervalMs: 1 });
    expect(await ids(client)).not.toContain(id);
    expect(logins()).toBe(1); // one token for every call
    expect(endpoints()).toEqual([api.endpoint]);
  }, 60_000);

  it("picks the endpoint by region and interface, and names what it could not find", async () => {
    const internal = await connect({ keystone: passwordAuth(alice, { interface: "internalURL" }) });
    await ids(internal.client);
    expect(internal.endpoints()).toEqual([api.endpoint]);
    // The harness registers public and internal endpoints only, all in its one region.
    for (const miss of [{ interface: "admin" }, { regionName: "RegionTwo" }, { serviceType: "volumev3" }]) {
      const error = await createComputeClient({ keystone: passwordAuth(alice, miss) }).catch(
        (e: unknown) => e,
      );
      expect(EndpointNotFoundError.isInstance(error)).toBe(true);
    }
  }, 60_000);

  it("logs in with an existing token and with an application credential", async () => {
    const token = await keystone.issueToken(bob);
    const byToken = await connect({
      keystone: { ...passwordAuth(bob), auth: { type: "token", token } },
    });
    const { id } = await byToken.client.createServer({ ...BOOT, name: "by-token" });
    expect((await byToken.client.getServer(id)).tenant_id).toBe(bob.projectId);

    const credential = await keystone.createApplicationCredential(bob, "ci");
    // An application credential carries its own project: no scope is sent, and none is needed.
    const byCredential = await connect({
      keystone: {
        authUrl: keystone.authUrl,
        auth: { type: "applicationCredential", id: credential.id, secret: credential.secret },
      },
    });
    expect((await byCredential.client.getServer(id)).name).toBe("by-token");
    await byCredential.client.deleteServer(id);

    const wrong = await createComputeClient({
      keystone: {
        authUrl: keystone.authUrl,
        auth: { type: "applicationCredential", id: credential.id, secret: "not-the-secret" },
      },
    }).catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(wrong)).toBe(true);
    expect(wrong).toMatchObject({ status: 401 });
  }, 60_000);

  it("renews a token about to expire before using it, by the client's clock", async () => {
    const clock = new FakeClock(Date.now());
    const { client, logins, events } = await connect({ keystone: passwordAuth(alice), clock });
    await ids(client);
    expect(logins()).toBe(1);
    // Keystone's tokens live an hour; 59.5 minutes on, within the minute's margin, the session logs in again.
    await clock.advance(3_570_000);
    await ids(client);
    expect(logins()).toBe(2);
    expect(events.some((e) => e.type === "reauthenticate")).toBe(false); // renewed, not refused first
  }, 60_000);

  it("logs in once more when nova-api refuses a revoked token, and surfaces a second refusal", async () => {
    const events: ClientEvent[] = [];
    const session = new KeystoneSession(passwordAuth(alice), { onEvent: (e) => events.push(e) });
    const client = new ComputeClient({
      endpoint: await session.computeEndpoint(),
      tokenProvider: session,
      onEvent: (e) => events.push(e),
    });
    const before = await ids(client);
    await keystone.revokeToken(await session.getToken());
    expect(await ids(client)).toEqual(before);
    expect(logins(events)).toBe(2);
    expect(events.filter((e) => e.type === "reauthenticate")).toHaveLength(1);

    // A token login cannot outlive the token it started from: with both revoked, nova-api's 401 leads to one more
    // exchange, which Keystone refuses with 404 "Failed to validate token" (keystoneauth raises NotFound too),
    // and the caller sees that, typed. (Revoking only the first token leaves the exchanged one valid.)
    const token = await keystone.issueToken(alice);
    const exchanged = new KeystoneSession({ ...passwordAuth(alice), auth: { type: "token", token } });
    const byToken = new ComputeClient({
      endpoint: await exchanged.computeEndpoint(),
      tokenProvider: exchanged,
    });
    await ids(byToken);
    await keystone.revokeToken(await exchanged.getToken());
    await keystone.revokeToken(token);
    const error = await ids(byToken).catch((e: unknown) => e);
    expect(NotFoundError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, message: expect.stringMatching(/Failed to validate token/) });
  }, 60_000);

  it("keeps one project's member away from another project's servers, with Nova's status codes", async () => {
    const a = (await connect({ keystone: passwordAuth(alice) })).client;
    const b = (await connect({ keystone: passwordAuth(bob) })).client;
    const { id } = await a.createServer({ ...BOOT, name: "a-only" });
    expect(await ids(b)).not.toContain(id);
    // Nova hides another project's server (404), and refuses a member the admin-only listing (403).
    const shown = await b.getServer(id).catch((e: unknown) => e);
    expect(NotFoundError.isInstance(shown)).toBe(true);
    expect(shown).toMatchObject({ status: 404, code: "ITEM_NOT_FOUND" });
    expect(NotFoundError.isInstance(await b.deleteServer(id).catch((e: unknown) => e))).toBe(true);
    const all = await b.servers.listPage({ all_tenants: true }).catch((e: unknown) => e);
    expect(ForbiddenError.isInstance(all)).toBe(true);
    expect(all).toMatchObject({ status: 403 });
    const admin = (
      await connect({
        keystone: passwordAuth({
          name: "admin",
          password: keystone.adminPassword,
          projectName: "admin",
        } as KeystoneUser),
      })
    ).client;
    expect((await admin.servers.listPage({ all_tenants: true })).servers.map((s) => s.id)).toContain(id);
    await a.deleteServer(id);
  }, 60_000);

  it("connects from a clouds.yaml cloud and from the OS_* variables naming that Keystone", async () => {
    const clouds = join(dir, "clouds.yaml");
    writeFileSync(
      clouds,
      [
        "clouds:",
        "  test-cloud:",
        "    auth:",
        `      auth_url: ${keystone.authUrl}`,
        `      username: ${alice.name}`,
        `      project_name: ${alice.projectName}`,
        "      user_domain_name: Default",
        "      project_domain_name: Default",
        `    region_name: ${keystone.region}`,
        "    interface: public",
        '    compute_api_version: "2.60"',
        "",
      ].join("\n"),
    );
    // The password in secure.yaml, as openstacksdk keeps secrets apart.
    const secure = join(dir, "secure.yaml");
    writeFileSync(secure, `clouds:\n  test-cloud:\n    auth:\n      password: ${alice.password}\n`);
    const fromYaml = fromEnvironment({
      env: {
        OS_CLOUD: "test-cloud",
        OS_CLIENT_CONFIG_FILE: clouds,
        OS_CLIENT_SECURE_FILE: secure,
        HOME: dir,
      },
    });
    expect(fromYaml.keystone).toMatchObject({ regionName: keystone.region, interface: "public" });
    const cloud = await createComputeClient(fromYaml);
    expect(cloud.microversion).toBe("2.60");
    const { id } = await cloud.createServer({ ...BOOT, name: "from-yaml" });

    const credential = await keystone.createApplicationCredential(alice, "env");
    const fromVars = fromEnvironment({
      env: {
        OS_AUTH_URL: keystone.authUrl,
        OS_AUTH_TYPE: "v3applicationcredential",
        OS_APPLICATION_CREDENTIAL_ID: credential.id,
        OS_APPLICATION_CREDENTIAL_SECRET: credential.secret,
        OS_REGION_NAME: keystone.region,
        OS_INTERFACE: "internal",
      },
    });
    const vars = await createComputeClient(fromVars);
    expect((await vars.getServer(id)).name).toBe("from-yaml");
    await vars.deleteServer(id);
  }, 60_000);
});
