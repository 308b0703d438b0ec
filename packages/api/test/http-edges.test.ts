import { request as httpRequest } from "node:http";
import type { ComputeBackend } from "@nova/api";
import { BackendUnavailableError } from "@nova/api";
import { FakeComputeBackend } from "@nova/api/test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startApi } from "./start-api.js";

type Env = Awaited<ReturnType<typeof startApi>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

describe("HTTP edges with raw fetch", () => {
  it("answers unknown paths, unknown methods and the legacy /v2 with an itemNotFound fault", async () => {
    env = await startApi();
    for (const [method, path] of [
      ["GET", "/v2.1/nope"],
      ["PATCH", "/v2.1/servers"],
      ["PATCH", "/v2.1/servers/abc"],
      ["GET", "/v2/servers"],
      ["POST", "/"],
      ["GET", "/v2.1/servers/abc/extra/deep"],
    ] as const) {
      const response = await env.fetch(path, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/json; charset=UTF-8");
      expect(await json(response)).toEqual({
        itemNotFound: { code: 404, message: "The resource could not be found." },
      });
    }
  });

  it("rejects malformed JSON, wrong content types and oversized bodies", async () => {
    env = await startApi({ config: { max_request_body_size: 1024 } });
    const post = (body: string, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
      env!.fetch("/v2.1/servers", {
        method: "POST",
        body,
        headers: { "X-Auth-Token": "admin:admin", ...headers },
      });
    const bad = await post('{"server": ');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ badRequest: { code: 400, message: "Malformed request body" } });
    const xml = await post("<server/>", { "Content-Type": "application/xml" });
    expect(xml.status).toBe(415);
    expect(await json(xml)).toEqual({ badMediaType: { code: 415, message: "Unsupported Content-Type" } });
    // text/plain counts as "no content type", as in Nova; the body is still parsed as JSON.
    const plain = await post('{"server": {}}', { "Content-Type": "text/plain" });
    expect(plain.status).toBe(400);
    const big = await post(JSON.stringify({ server: { name: "x".repeat(2000) } }));
    expect(big.status).toBe(413);
    expect(await json(big)).toEqual({ overLimit: { code: 413, message: "Request is too large." } });
    // The connection survives a 413 and the server keeps serving.
    expect((await env.fetch("/v2.1/flavors")).status).toBe(200);
  });

  it("refuses a streamed body that grows past the limit without a Content-Length", async () => {
    env = await startApi({ config: { max_request_body_size: 100 } });
    const url = new URL(`${env.endpoint}/servers`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: "POST", headers: { "X-Auth-Token": "admin:admin", "Content-Type": "application/json" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write("x".repeat(80));
      req.end("y".repeat(80));
    });
    expect(status).toBe(413);
  });

  it("negotiates microversions from either header, with latest, and refuses bad ones", async () => {
    env = await startApi();
    const get = (headers: Record<string, string>) =>
      env!.fetch("/v2.1/flavors", { headers: { "X-Auth-Token": "admin:admin", ...headers } });
    const plain = await get({});
    expect(plain.headers.get("openstack-api-version")).toBe("compute 2.1");
    expect(plain.headers.get("x-openstack-nova-api-version")).toBe("2.1");
    expect(plain.headers.get("vary")).toBe("OpenStack-API-Version, X-OpenStack-Nova-API-Version");
    expect(
      (await get({ "OpenStack-API-Version": "compute latest" })).headers.get("openstack-api-version"),
    ).toBe("compute 2.93");
    expect((await get({ "X-OpenStack-Nova-API-Version": "2.60" })).headers.get("openstack-api-version")).toBe(
      "compute 2.60",
    );
    const malformed = await get({ "OpenStack-API-Version": "compute 2.07" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("openstack-api-version")).toBeNull();
    expect(await json(malformed)).toEqual({
      badRequest: {
        code: 400,
        message: "API Version String 2.07 is of invalid format. Must be of format MajorNum.MinorNum.",
      },
    });
    const tooNew = await get({ "OpenStack-API-Version": "compute 2.100" });
    expect(tooNew.status).toBe(406);
    expect(await json(tooNew)).toEqual({
      computeFault: {
        code: 406,
        message: "Version 2.100 is not supported by the API. Minimum is 2.1 and maximum is 2.93.",
      },
    });
    // The flavor description appears from 2.55: the version reached the handler.
    const flavors = (await json(await get({ "OpenStack-API-Version": "compute 2.55" }))) as {
      flavors: Record<string, unknown>[];
    };
    expect(flavors.flavors[0]).toHaveProperty("description");
  });

  it("does what noauth2 does without a token, and makes admin:admin an admin", async () => {
    env = await startApi();
    const tokenless = await fetch(`${env.endpoint}/servers`, {
      headers: { "X-Auth-User": "carol", "X-Auth-Project-Id": "ca401" },
    });
    expect(tokenless.status).toBe(204);
    expect(tokenless.headers.get("x-auth-token")).toBe("carol:ca401");
    expect(tokenless.headers.get("x-server-management-url")).toBe(`${env.endpoint}/servers`);
    const member = await env.fetch("/v2.1/os-services", { headers: { "X-Auth-Token": "carol:ca401" } });
    expect(member.status).toBe(403);
    expect(await json(member)).toEqual({
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-services:list to be performed.",
      },
    });
    const admin = await env.fetch("/v2.1/os-services");
    expect(admin.status).toBe(200);
    // A token without a project uses the user as the project, as Nova's noauth2 does.
    const { id } = await env.client("dave").createServer({
      name: "d",
      flavorRef: "1",
      imageRef: "70a599e0-31e7-49b7-b260-868f441e862b",
    });
    expect((await env.client().getServer(id)).tenant_id).toBe("dave");
  });

  it("gives every response its own request id and hands it to the backend", async () => {
    env = await startApi();
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await env.fetch("/v2.1/servers");
      const id = response.headers.get("x-openstack-request-id")!;
      expect(response.headers.get("x-compute-request-id")).toBe(id);
      ids.add(id);
    }
    expect(ids.size).toBe(3);
    const backendIds = env.fake.calls
      .filter((c) => c.method === "listServers")
      .map((c) => c.context.requestId);
    expect(new Set(backendIds)).toEqual(ids);
    expect(
      env.logger.records
        .map((l) => l.fields as Record<string, unknown>)
        .filter((f) => f.path === "/v2.1/servers")
        .map((f) => f.request_id),
    ).toEqual([...ids]);
  });

  it("carries a caller's well-formed X-OpenStack-Request-ID as the global request id", async () => {
    env = await startApi();
    const caller = "req-0b7e0c9e-2f0a-4a59-9d7c-3a1f6a0f5e11";
    const response = await env.fetch("/v2.1/servers", { headers: { "X-OpenStack-Request-ID": caller } });
    // Our own request id is always fresh; the caller's travels in the context.
    expect(response.headers.get("x-openstack-request-id")).not.toBe(caller);
    await env.fetch("/v2.1/servers", { headers: { "X-OpenStack-Request-ID": "not-a-request-id" } });
    const contexts = env.fake.calls.filter((c) => c.method === "listServers").map((c) => c.context);
    expect(contexts.map((c) => c.globalRequestId)).toEqual([caller, undefined]);
  });

  it("survives a Host header that is not a host", async () => {
    env = await startApi();
    const url = new URL(`${env.endpoint}/flavors`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { headers: { Host: "not a host", "X-Auth-Token": "admin:admin" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  });

  it("turns unexpected backend failures into a 500 computeFault without a stack trace", async () => {
    const fake = new FakeComputeBackend();
    const broken: ComputeBackend = Object.assign(Object.create(fake) as FakeComputeBackend, {
      listServers: async () => {
        throw new TypeError("cannot read properties of undefined (reading 'host') at /srv/secret/path.ts:12");
      },
      listFlavors: async () => {
        throw new BackendUnavailableError();
      },
    });
    env = await startApi({ backend: broken });
    const response = await env.fetch("/v2.1/servers");
    expect(response.status).toBe(500);
    const body = (await json(response)) as { computeFault: { code: number; message: string } };
    expect(body.computeFault.code).toBe(500);
    expect(body.computeFault.message).toBe(
      "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'TypeError'>",
    );
    expect(JSON.stringify(body)).not.toContain("secret");
    const logged = env.logger.records.find((l) => l.level === "error")?.fields as Record<string, unknown>;
    expect(logged?.err).toBeInstanceOf(TypeError);
    expect(logged?.request_id).toBe(response.headers.get("x-openstack-request-id"));
    const unavailable = await env.fetch("/v2.1/flavors");
    expect(unavailable.status).toBe(503);
    expect(await json(unavailable)).toEqual({
      serviceUnavailable: { code: 503, message: "Service is unavailable at this time." },
    });
  });

  it("works on max_concurrent_reads GETs at once, starts the rest in arrival order, and never holds a write", async () => {
    const fake = new FakeComputeBackend();
    const held: Array<() => void> = [];
    const gated: ComputeBackend = Object.assign(Object.create(fake) as FakeComputeBackend, {
      listFlavors: async (...args: Parameters<FakeComputeBackend["listFlavors"]>) => {
        await new Promise<void>((release) => held.push(release));
        return fake.listFlavors(...args);
      },
    });
    env = await startApi({ backend: gated, config: { max_concurrent_reads: 1 } });
    const first = env.fetch("/v2.1/flavors");
    const second = env.fetch("/v2.1/flavors/detail");
    await vi.waitFor(() => expect(held).toHaveLength(1));
    // The version document never reaches the backend, yet it waits for a slot like any request.
    let versionDone = false;
    const version = env.fetch("/v2.1/").then((r) => {
      versionDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect([held.length, versionDone]).toEqual([1, false]);
    // A write does not wait for a read's slot.
    const write = await env.fetch("/v2.1/servers", {
      method: "POST",
      body: "{}",
      headers: { "X-Auth-Token": "admin:admin", "Content-Type": "application/json" },
    });
    expect(write.status).toBe(400);
    held[0]!();
    expect((await first).status).toBe(200);
    await vi.waitFor(() => expect(held).toHaveLength(2));
    held[1]!();
    expect((await second).status).toBe(200);
    expect((await version).status).toBe(200);
  });

  it("serves the image proxy up to 2.35 only", async () => {
    env = await startApi();
    const client = env.client();
    const images = await client.listImagesDetail();
    expect(images.images).toHaveLength(1);
    expect(images.images[0]).toMatchObject({ status: "ACTIVE", progress: 100, minDisk: 0 });
    // No Glance configured: the catalogue is the only place an image lives, so no alternate link.
    expect(images.images[0]?.links.map((l) => l.rel)).toEqual(["self", "bookmark"]);
    const id = images.images[0]!.id;
    expect((await client.getImage(id)).name).toBe("cirros-0.6.2-x86_64-disk");
    const missing = await client
      .getImage("nope")
      .catch((e: unknown) => e as { status: number; message: string });
    expect([missing.status, missing.message]).toEqual([404, "Image not found."]);
    const late: unknown = await client
      .with({ microversion: "2.36" })
      .listImages()
      .catch((e: unknown) => e);
    expect(late).toMatchObject({ status: 404, faultName: "itemNotFound" });
  });

  it("lists services with uuids from 2.53 and forced_down from 2.11", async () => {
    env = await startApi({ fake: { hosts: ["c1", "c2"] } });
    env.fake.services[3]!.isUp = false;
    env.fake.services[3]!.disabled = true;
    env.fake.services[3]!.disabledReason = "maintenance";
    const old = await env.client().listServices();
    expect(old.map((s) => [s.binary, s.host, s.state, s.status])).toEqual([
      ["nova-scheduler", "controller", "up", "enabled"],
      ["nova-conductor", "controller", "up", "enabled"],
      ["nova-compute", "c1", "up", "enabled"],
      ["nova-compute", "c2", "down", "disabled"],
    ]);
    expect(old[0]?.id).toBe(1);
    expect(old[0]?.forced_down).toBeUndefined();
    const latest = await env
      .client("admin:admin", "2.53")
      .listServices({ binary: "nova-compute", host: "c2" });
    expect(latest).toHaveLength(1);
    expect(latest[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(latest[0]?.forced_down).toBe(false);
    expect(latest[0]?.disabled_reason).toBe("maintenance");
  });

  it("serves version discovery at / and /v2.1/", async () => {
    env = await startApi();
    const versions = await env.client().listVersions();
    expect(versions.versions).toEqual([
      {
        id: "v2.0",
        status: "SUPPORTED",
        version: "",
        min_version: "",
        updated: "2011-01-21T11:33:21Z",
        links: [{ rel: "self", href: `${env.root}/v2/` }],
      },
      {
        id: "v2.1",
        status: "CURRENT",
        version: "2.93",
        min_version: "2.1",
        updated: "2013-07-23T11:33:21Z",
        links: [{ rel: "self", href: `${env.endpoint}/` }],
      },
    ]);
    const version = await env.client().getVersion();
    expect(version.links[0]).toEqual({ rel: "self", href: `${env.endpoint}/` });
    const bare = await env.fetch("/v2.1");
    expect(bare.status).toBe(200);
    expect(((await json(bare)) as { version: { id: string } }).version.id).toBe("v2.1");
  });

  it("drains in-flight requests on close and then refuses connections", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const fake = new FakeComputeBackend();
    const slow: ComputeBackend = Object.assign(Object.create(fake) as FakeComputeBackend, {
      listFlavors: async (...args: Parameters<FakeComputeBackend["listFlavors"]>) => {
        entered();
        await gate;
        return fake.listFlavors(...args);
      },
    });
    env = await startApi({ backend: slow });
    const pending = env.fetch("/v2.1/flavors");
    await inside;
    let closed = false;
    const closing = env.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(((await json(response)) as { flavors: unknown[] }).flavors).toHaveLength(5);
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${env.endpoint}/flavors`)).rejects.toThrow();
    env = undefined;
  });
});
