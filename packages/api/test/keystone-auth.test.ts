// nova-api with `auth_strategy = keystone` against a small in-test stand-in for Keystone's two token calls, to pin
// the header handling, the cache and the failure answers exactly (apps/nova/test/keystone.test.ts runs the
// same paths against a real Keystone).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiServer, type KeystoneAuthtokenInput, PolicyEnforcer } from "@nova/api";
import { FakeComputeBackend } from "@nova/api/test";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { afterEach, describe, expect, it } from "vitest";

const NOW = Date.parse("2026-12-06T10:00:00Z");
const HOUR = 3_600_000;

interface TokenSpec {
  user: string;
  project?: string;
  roles: string[];
  expiresAt?: number;
  system?: boolean;
}

/** Keystone's POST and GET /v3/auth/tokens, over a table of tokens; it counts what it was asked. */
class StandInKeystone {
  readonly tokens = new Map<string, TokenSpec>();
  readonly validations: string[] = [];
  logins = 0;
  /** The service token the next login hands out. */
  serviceToken = "svc-1";
  /** Answer 401 to the service's login (wrong password). */
  refuseLogins = false;
  server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    for await (const _ of req);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST") {
      this.logins++;
      if (this.refuseLogins)
        return json(401, {
          error: { code: 401, message: "The request you have made requires authentication." },
        });
      this.tokens.set(this.serviceToken, { user: "nova", project: "service", roles: ["service"] });
      return json(201, this.body(this.tokens.get(this.serviceToken)!), {
        "X-Subject-Token": this.serviceToken,
      });
    }
    const subject = String(req.headers["x-subject-token"]);
    this.validations.push(subject);
    if (!this.tokens.has(String(req.headers["x-auth-token"]))) return json(401, { error: { code: 401 } });
    const spec = this.tokens.get(subject);
    if (!spec) return json(404, { error: { code: 404, message: "Could not find token" } });
    json(200, this.body(spec));
  }

  private body(spec: TokenSpec) {
    return {
      token: {
        expires_at: new Date(spec.expiresAt ?? NOW + HOUR).toISOString(),
        user: { id: `${spec.user}-id`, name: spec.user, domain: { id: "default", name: "Default" } },
        roles: spec.roles.map((name) => ({ id: `${name}-id`, name })),
        ...(spec.project
          ? { project: { id: spec.project, name: `${spec.project}-name`, domain: { id: "default" } } }
          : {}),
        ...(spec.system ? { system: { all: true } } : {}),
      },
    };
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function start(
  options: { keystone?: Partial<KeystoneAuthtokenInput>; authUrl?: string; policy?: PolicyEnforcer } = {},
) {
  const keystone = new StandInKeystone();
  await keystone.start();
  closers.push(() => keystone.stop());
  const clock = new FakeClock(NOW);
  const logger = new MemoryLogger();
  const fake = new FakeComputeBackend();
  const api = createApiServer({
    backend: fake,
    logger,
    clock,
    ...(options.policy ? { policy: options.policy } : {}),
    config: {
      auth_strategy: "keystone",
      keystone_authtoken: {
        auth_url: options.authUrl ?? `${keystone.url}/v3`,
        username: "nova",
        password: "secret",
        project_name: "service",
        www_authenticate_uri: "http://keystone.example:5000",
        http_request_max_retries: 0,
        ...options.keystone,
      },
    },
  });
  const { port } = await api.listen(0);
  closers.push(() => api.close());
  const call = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      // biome-ignore lint/suspicious/noExplicitAny: Nova's JSON, pinned by the assertions
      body: text ? (JSON.parse(text) as any) : undefined,
    };
  };
  return { keystone, clock, logger, fake, call };
}

const UNAUTHORIZED = {
  unauthorized: { code: 401, message: "The request you have made requires authentication." },
};

describe("nova-api with Keystone tokens: headers", () => {
  it("answers 401 with WWW-Authenticate and Nova's fault body when no token is sent", async () => {
    const { call, keystone } = await start();
    const response = await call("/v2.1/servers");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Keystone uri="http://keystone.example:5000"');
    expect(response.body).toEqual(UNAUTHORIZED);
    expect(keystone.logins).toBe(0);
  });

  it("keeps version discovery open", async () => {
    const { call } = await start();
    expect((await call("/")).status).toBe(200);
    expect((await call("/v2.1")).status).toBe(200);
    expect((await call("/v2.1/")).status).toBe(200);
  });

  it("refuses tokens no Keystone issues without asking Keystone", async () => {
    const { call, keystone } = await start();
    for (const token of ["has space", "x".repeat(9000), "tab\there"]) {
      const response = await call("/v2.1/flavors", { "X-Auth-Token": token });
      expect(response.status).toBe(401);
    }
    expect(keystone.validations).toEqual([]);
  });

  it("names auth_url in WWW-Authenticate when www_authenticate_uri is unset", async () => {
    const keystone = new StandInKeystone();
    await keystone.start();
    closers.push(() => keystone.stop());
    const { call } = await start({ authUrl: keystone.url, keystone: { www_authenticate_uri: undefined } });
    const response = await call("/v2.1/servers", { "X-Auth-Token": "unknown" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Keystone uri="${keystone.url}"`);
  });

  it("feeds user, project, roles and scope to the context, and X-Storage-Token counts as X-Auth-Token", async () => {
    const { call, keystone, fake } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member", "reader"] });
    keystone.tokens.set("admin-token", {
      user: "root",
      project: "p-admin",
      roles: ["admin", "member", "reader"],
    });
    expect((await call("/v2.1/servers", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    expect(fake.calls.at(-1)?.context).toMatchObject({
      userId: "alice-id",
      userName: "alice",
      userDomainId: "default",
      projectId: "p-a",
      projectName: "p-a-name",
      projectDomainId: "default",
      roles: ["member", "reader"],
      isAdmin: false,
    });
    expect((await call("/v2.1/servers", { "X-Storage-Token": "admin-token" })).status).toBe(200);
    expect(fake.calls.at(-1)?.context).toMatchObject({ userId: "root-id", isAdmin: true });
  });

  it("gives a reader no write and a member no admin API (Zed's defaults)", async () => {
    const { call, keystone } = await start();
    keystone.tokens.set("reader-token", { user: "rita", project: "p-a", roles: ["reader"] });
    keystone.tokens.set("member-token", { user: "mo", project: "p-a", roles: ["member", "reader"] });
    expect((await call("/v2.1/servers", { "X-Auth-Token": "reader-token" })).status).toBe(200);
    expect((await call("/v2.1/os-services", { "X-Auth-Token": "member-token" })).status).toBe(403);
    expect((await call("/v2.1/os-hypervisors", { "X-Auth-Token": "reader-token" })).status).toBe(403);
  });
});

describe("nova-api with Keystone tokens: cache and failures", () => {
  it("asks Keystone once per token while its answer is cached, good or bad", async () => {
    const { call, keystone } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member", "reader"] });
    for (let i = 0; i < 3; i++) {
      expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
      expect((await call("/v2.1/flavors", { "X-Auth-Token": "bogus" })).status).toBe(401);
    }
    expect(keystone.validations).toEqual(["alice-token", "bogus"]);
    expect(keystone.logins).toBe(1);
  });

  it("shares one question to Keystone among concurrent requests with one token", async () => {
    const { call, keystone } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member", "reader"] });
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })),
    );
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    expect(keystone.validations).toEqual(["alice-token"]);
  });

  it("honours a revoked token until token_cache_time has passed, then asks again and refuses it", async () => {
    const { call, keystone, clock } = await start({ keystone: { token_cache_time: 300 } });
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member", "reader"] });
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    keystone.tokens.delete("alice-token");
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    await clock.advance(300_000);
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(401);
    expect(keystone.validations).toEqual(["alice-token", "alice-token"]);
  });

  it("asks Keystone every time with token_cache_time = -1", async () => {
    const { call, keystone } = await start({ keystone: { token_cache_time: -1 } });
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member", "reader"] });
    await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" });
    await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" });
    expect(keystone.validations).toEqual(["alice-token", "alice-token"]);
  });

  it("refuses a token once its expiry is past by the API's clock, cached or not", async () => {
    const { call, keystone, clock } = await start({ keystone: { token_cache_time: 7200 } });
    keystone.tokens.set("short", {
      user: "alice",
      project: "p-a",
      roles: ["member"],
      expiresAt: NOW + 60_000,
    });
    keystone.tokens.set("lapsed", { user: "alice", project: "p-a", roles: ["member"], expiresAt: NOW - 1 });
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "short" })).status).toBe(200);
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "lapsed" })).status).toBe(401);
    await clock.advance(60_000);
    const expired = await call("/v2.1/flavors", { "X-Auth-Token": "short" });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(UNAUTHORIZED);
  });

  it("logs in again once when Keystone stops taking the service's token, and renews it before expiry", async () => {
    const { call, keystone, clock } = await start({ keystone: { token_cache_time: -1 } });
    keystone.tokens.set("alice-token", {
      user: "alice",
      project: "p-a",
      roles: ["member"],
      expiresAt: NOW + 5 * HOUR,
    });
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    keystone.tokens.delete("svc-1"); // the service token is revoked
    keystone.serviceToken = "svc-2";
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    expect(keystone.logins).toBe(2);
    // svc-2 expires at NOW + 1 h: within two minutes of that, the next request logs in first.
    keystone.serviceToken = "svc-3";
    await clock.advance(HOUR - 100_000);
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
    expect(keystone.logins).toBe(3);
  });

  it("answers 503 while Keystone is unreachable, and recovers when it is back", async () => {
    const { call, keystone, logger } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member"] });
    await keystone.stop();
    const down = await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" });
    expect(down.status).toBe(503);
    expect(down.body.serviceUnavailable.code).toBe(503);
    expect(down.body.serviceUnavailable.message).toMatch(/Keystone service is temporarily unavailable/);
    expect(logger.messages("error")).toContain("Keystone is unavailable");
    // Nothing bad was cached: the same token works once Keystone answers again.
    const port = Number(new URL(keystone.url).port);
    await new Promise<void>((resolve) => keystone.server!.listen(port, "127.0.0.1", resolve));
    expect((await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" })).status).toBe(200);
  });

  it("answers 503 when Keystone refuses the service's own credentials", async () => {
    const { call, keystone } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member"] });
    keystone.refuseLogins = true;
    const response = await call("/v2.1/flavors", { "X-Auth-Token": "alice-token" });
    expect(response.status).toBe(503);
    expect(keystone.logins).toBe(1);
    expect(keystone.validations).toEqual([]);
  });
});

describe("nova-api with Keystone tokens: service tokens", () => {
  it("puts a valid service token's identity in the context, and ignores one without a service role", async () => {
    const { call, keystone, fake, logger } = await start();
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member"] });
    keystone.tokens.set("neutron-token", { user: "neutron", project: "service", roles: ["service"] });
    keystone.tokens.set("bob-token", { user: "bob", project: "p-b", roles: ["member"] });
    await call("/v2.1/servers", { "X-Auth-Token": "alice-token", "X-Service-Token": "neutron-token" });
    expect(fake.calls.at(-1)?.context.service).toEqual({
      userId: "neutron-id",
      userDomainId: "default",
      projectId: "service",
      projectDomainId: "default",
      roles: ["service"],
    });
    await call("/v2.1/servers", { "X-Auth-Token": "alice-token", "X-Service-Token": "bob-token" });
    expect(fake.calls.at(-1)?.context.service).toBeUndefined();
    expect(logger.messages("warn").some((m) => m?.includes("without a service role"))).toBe(true);
    const invalid = await call("/v2.1/servers", { "X-Auth-Token": "alice-token", "X-Service-Token": "nope" });
    expect(invalid.status).toBe(401);
  });

  it("refuses a service token without a service role when service_token_roles_required", async () => {
    const { call, keystone } = await start({ keystone: { service_token_roles_required: true } });
    keystone.tokens.set("alice-token", { user: "alice", project: "p-a", roles: ["member"] });
    keystone.tokens.set("bob-token", { user: "bob", project: "p-b", roles: ["member"] });
    const response = await call("/v2.1/servers", {
      "X-Auth-Token": "alice-token",
      "X-Service-Token": "bob-token",
    });
    expect(response.status).toBe(401);
  });

  it("refuses a system-scoped token every compute rule under enforce_scope (all are project-scoped in Zed)", async () => {
    const { call, keystone } = await start({ policy: new PolicyEnforcer({}, { enforceScope: true }) });
    keystone.tokens.set("system-token", { user: "root", roles: ["admin", "member", "reader"], system: true });
    keystone.tokens.set("admin-token", {
      user: "root",
      project: "p-admin",
      roles: ["admin", "member", "reader"],
    });
    expect((await call("/v2.1/os-services", { "X-Auth-Token": "system-token" })).status).toBe(403);
    expect((await call("/v2.1/os-services", { "X-Auth-Token": "admin-token" })).status).toBe(200);
  });

  it("maps a system-scoped token to a context without a project", async () => {
    const { call, keystone, fake } = await start();
    keystone.tokens.set("system-token", { user: "root", roles: ["admin", "member", "reader"], system: true });
    expect((await call("/v2.1/os-services", { "X-Auth-Token": "system-token" })).status).toBe(200);
    expect(fake.calls.at(-1)?.context).toMatchObject({ systemScope: "all", projectId: "", isAdmin: true });
  });
});
