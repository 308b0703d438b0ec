import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeClock } from "@nova/core/test";
import { afterEach, describe, expect, it } from "vitest";
import { ComputeClient } from "../compute-client.js";
import { createComputeClient } from "../create-compute-client.js";
import { EndpointNotFoundError } from "../errors/endpoint-not-found-error.js";
import { UnauthorizedError } from "../errors/unauthorized-error.js";
import { KeystoneSession } from "./keystone-session.js";

/**
 * A small Keystone v3 (`POST /v3/auth/tokens`: token in X-Subject-Token, catalog, expires_at) and a compute
 * endpoint that accepts only tokens Keystone issued and has not revoked, on one loopback port.
 */
async function startCloud(clock: FakeClock) {
  const authRequests: Record<string, unknown>[] = [];
  const valid = new Set<string>();
  let issued = 0;
  let base = "";
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method === "POST" && req.url === "/identity/v3/auth/tokens") {
      const auth = (JSON.parse(body) as { auth: Record<string, unknown> }).auth;
      authRequests.push(auth);
      const identity = auth.identity as { password?: { user: { password: string } } };
      if (identity.password && identity.password.user.password !== "secret") {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: {
              code: 401,
              title: "Unauthorized",
              message: "The request you have made requires authentication.",
            },
          }),
        );
        return;
      }
      const token = `tok-${++issued}`;
      valid.add(token);
      const endpoint = (region: string, iface: string, url: string) => ({
        interface: iface,
        region,
        region_id: region,
        url,
      });
      res.writeHead(201, { "content-type": "application/json", "x-subject-token": token });
      res.end(
        JSON.stringify({
          token: {
            expires_at: new Date(clock.now() + 3600_000).toISOString(),
            catalog: [
              {
                type: "identity",
                name: "keystone",
                endpoints: [endpoint("RegionOne", "public", `${base}/identity`)],
              },
              {
                type: "compute",
                name: "nova",
                endpoints: [
                  endpoint("RegionOne", "public", `${base}/r1/v2.1`),
                  endpoint("RegionOne", "internal", `${base}/r1-internal/v2.1`),
                  endpoint("RegionTwo", "public", `${base}/r2/v2.1`),
                ],
              },
            ],
          },
        }),
      );
      return;
    }
    const token = req.headers["x-auth-token"];
    if (typeof token !== "string" || !valid.has(token)) {
      res.writeHead(401, { "www-authenticate": `Keystone uri="${base}/identity"` });
      res.end(JSON.stringify({ error: { code: 401, title: "Unauthorized", message: "bad token" } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url?.endsWith("/v2.1/")) {
      res.end(
        JSON.stringify({
          version: {
            id: "v2.1",
            status: "CURRENT",
            version: "2.60",
            min_version: "2.1",
            updated: "",
            links: [],
            "media-types": [],
          },
        }),
      );
    } else
      res.end(
        JSON.stringify({
          servers: [],
          seen: { url: req.url, token, version: req.headers["openstack-api-version"] },
        }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authUrl: `${base}/identity/v3`,
    base,
    authRequests,
    revokeAll: () => valid.clear(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => resolve(text));
  });
}

let cloud: Awaited<ReturnType<typeof startCloud>> | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

const password = {
  type: "password" as const,
  username: "alice",
  password: "secret",
  userDomainName: "Default",
};

describe("KeystoneSession", () => {
  it("authenticates with a password and a project scope, and picks the endpoint by region and interface", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    const session = new KeystoneSession(
      {
        authUrl: cloud.authUrl,
        auth: password,
        projectName: "demo",
        projectDomainName: "Default",
        regionName: "RegionTwo",
      },
      { clock },
    );
    expect(await session.computeEndpoint()).toBe(`${cloud.base}/r2/v2.1`);
    expect(await session.getToken()).toBe("tok-1");
    expect(cloud.authRequests).toEqual([
      {
        identity: {
          methods: ["password"],
          password: { user: { name: "alice", domain: { name: "Default" }, password: "secret" } },
        },
        scope: { project: { name: "demo", domain: { name: "Default" } } },
      },
    ]);
    const internal = new KeystoneSession(
      { authUrl: `${cloud.base}/identity`, auth: password, interface: "internalURL" },
      { clock },
    );
    expect(await internal.computeEndpoint()).toBe(`${cloud.base}/r1-internal/v2.1`);
    const nowhere = new KeystoneSession(
      { authUrl: cloud.authUrl, auth: password, regionName: "Mars" },
      { clock },
    );
    const error = await nowhere.computeEndpoint().catch((e: unknown) => e);
    expect(EndpointNotFoundError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "ENDPOINT_NOT_FOUND", region: "Mars", interfaceName: "public" });
  });

  it("sends token and application credential bodies as Keystone expects them", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    await new KeystoneSession(
      { authUrl: cloud.authUrl, auth: { type: "token", token: "old" }, projectId: "p1" },
      { clock },
    ).getToken();
    await new KeystoneSession(
      {
        authUrl: cloud.authUrl,
        auth: { type: "applicationCredential", id: "ac1", secret: "s" },
        projectName: "ignored",
      },
      { clock },
    ).getToken();
    await new KeystoneSession(
      { authUrl: cloud.authUrl, auth: password, systemScope: "all" },
      { clock },
    ).getToken();
    expect(cloud.authRequests).toEqual([
      { identity: { methods: ["token"], token: { id: "old" } }, scope: { project: { id: "p1" } } },
      {
        identity: { methods: ["application_credential"], application_credential: { secret: "s", id: "ac1" } },
      },
      {
        identity: {
          methods: ["password"],
          password: { user: { name: "alice", domain: { name: "Default" }, password: "secret" } },
        },
        scope: { system: { all: true } },
      },
    ]);
  });

  it("reuses a token until a minute before it expires, then authenticates again", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    const session = new KeystoneSession({ authUrl: cloud.authUrl, auth: password }, { clock });
    const [a, b] = await Promise.all([session.getToken(), session.getToken()]);
    expect([a, b]).toEqual(["tok-1", "tok-1"]);
    await clock.advance(3600_000 - 61_000);
    expect(await session.getToken()).toBe("tok-1");
    await clock.advance(2000);
    expect(await session.getToken()).toBe("tok-2");
    expect(cloud.authRequests).toHaveLength(2);
  });

  it("a wrong password is an UnauthorizedError with Keystone's message", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    const session = new KeystoneSession(
      { authUrl: cloud.authUrl, auth: { ...password, password: "wrong" } },
      { clock },
    );
    const error = await session.getToken().catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 401,
      code: "UNAUTHORIZED",
      message: "The request you have made requires authentication.",
    });
    // Through a client, refused credentials are final: no second authentication behind the caller's back.
    const client = new ComputeClient({ endpoint: `${cloud.base}/r1/v2.1`, tokenProvider: session, clock });
    const refused = await client.request("GET", "/servers").catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(refused)).toBe(true);
    expect(cloud.authRequests).toHaveLength(2);
  });
});

describe("createComputeClient with Keystone", () => {
  it("finds the endpoint, negotiates the microversion, and re-authenticates once when a token is refused", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    const client = await createComputeClient({
      keystone: { authUrl: cloud.authUrl, auth: password, projectName: "demo", projectDomainName: "Default" },
      clock,
    });
    expect(client.microversion).toBe("2.60");
    const first = (await client.request("GET", "/servers")).body as { seen: Record<string, string> };
    expect(first.seen).toEqual({ url: "/r1/v2.1/servers", token: "tok-1", version: "compute 2.60" });
    cloud.revokeAll();
    const second = (await client.request("GET", "/servers")).body as { seen: Record<string, string> };
    expect(second.seen.token).toBe("tok-2");
    expect(cloud.authRequests).toHaveLength(2);
  });

  it("pins a microversion without asking, and takes a direct endpoint and token", async () => {
    const clock = new FakeClock();
    cloud = await startCloud(clock);
    const session = new KeystoneSession({ authUrl: cloud.authUrl, auth: password }, { clock });
    const token = await session.getToken();
    const client = await createComputeClient({
      endpoint: `${cloud.base}/r1/v2.1`,
      token,
      microversion: "2.53",
      clock,
    });
    const seen = ((await client.request("GET", "/servers")).body as { seen: Record<string, string> }).seen;
    expect(seen).toEqual({ url: "/r1/v2.1/servers", token: "tok-1", version: "compute 2.53" });
    const perCall = await client.request("GET", "/servers", { microversion: "2.1" });
    expect((perCall.body as { seen: Record<string, string> }).seen.version).toBe("compute 2.1");
  });
});
