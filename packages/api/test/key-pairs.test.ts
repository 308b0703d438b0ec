import { readFileSync } from "node:fs";
import { FAKE_IMAGE_ID } from "@nova/api/test";
import {
  createKeyPairResponseSchema,
  listKeyPairsResponseSchema,
  showKeyPairResponseSchema,
} from "@nova/client";
import { FakeClock } from "@nova/core/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const RSA = readFileSync(new URL("../src/__fixtures__/key-pairs/rsa.pub", import.meta.url), "utf8");
const RSA_FINGERPRINT = "29:6e:b6:42:46:5b:8c:b9:14:2c:9d:6e:4a:be:a6:58";
const CERT = readFileSync(new URL("../src/__fixtures__/key-pairs/cert.pem", import.meta.url), "utf8");
const ALICE = "alice:a11ce";
const names = (body: unknown) => listKeyPairsResponseSchema.parse(body).keypairs.map((k) => k.keypair.name);
const BOB = "bob:a11ce";

describe("os-keypairs", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  beforeEach(async () => {
    env = await startApi({ fake: { clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")) } });
  });
  afterEach(() => env.close());

  async function call(
    method: string,
    path: string,
    options: { version?: string; token?: string; body?: unknown } = {},
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each assertion its own check.
  ): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { "X-Auth-Token": options.token ?? ALICE };
    if (options.version) headers["OpenStack-API-Version"] = `compute ${options.version}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await env.fetch(`/v2.1${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const importKey = (name: string, extra: Record<string, unknown> = {}, version = "2.2", token = ALICE) =>
    call("POST", "/os-keypairs", { version, token, body: { keypair: { name, public_key: RSA, ...extra } } });

  it("2.1: imports (200, no type), shows, lists and deletes (202)", async () => {
    const created = await importKey("k1", {}, "2.1");
    expect(created.status).toBe(200);
    expect(createKeyPairResponseSchema.parse(created.body)).toEqual({
      keypair: { name: "k1", public_key: RSA, fingerprint: RSA_FINGERPRINT, user_id: "alice" },
    });
    const shown = await call("GET", "/os-keypairs/k1", { version: "2.1" });
    expect(shown.status).toBe(200);
    expect(showKeyPairResponseSchema.parse(shown.body).keypair).toEqual({
      id: 1,
      name: "k1",
      public_key: RSA,
      fingerprint: RSA_FINGERPRINT,
      user_id: "alice",
      created_at: "2026-11-27T08:00:00.000000",
      updated_at: null,
      deleted: false,
      deleted_at: null,
    });
    const listed = await call("GET", "/os-keypairs", { version: "2.1" });
    expect(listKeyPairsResponseSchema.parse(listed.body)).toEqual({
      keypairs: [{ keypair: { name: "k1", public_key: RSA, fingerprint: RSA_FINGERPRINT } }],
    });
    expect((await call("DELETE", "/os-keypairs/k1", { version: "2.1" })).status).toBe(202);
    expect(await call("GET", "/os-keypairs/k1", { version: "2.1" })).toEqual({
      status: 404,
      body: { itemNotFound: { code: 404, message: "Keypair k1 not found for user alice" } },
    });
    expect((await call("DELETE", "/os-keypairs/k1", { version: "2.1" })).status).toBe(404);
  });

  it("2.2: 201 with type on create, show and list; 204 on delete; x509 certificates import", async () => {
    const created = await importKey("cert", { type: "x509", public_key: CERT });
    expect(created.status).toBe(201);
    expect(created.body.keypair).toMatchObject({
      type: "x509",
      fingerprint: "a7:4c:2d:ef:8d:70:6c:31:e8:bf:71:1a:77:eb:3a:ac:13:fb:7e:02",
    });
    expect((await call("GET", "/os-keypairs/cert", { version: "2.2" })).body.keypair.type).toBe("x509");
    expect((await call("GET", "/os-keypairs", { version: "2.2" })).body.keypairs[0].keypair.type).toBe(
      "x509",
    );
    expect((await call("DELETE", "/os-keypairs/cert", { version: "2.2" })).status).toBe(204);
    // Before 2.2 `type` is not a known property.
    expect((await importKey("x", { type: "ssh" }, "2.1")).status).toBe(400);
  });

  it("generates a key with its private half until 2.91; 2.92 requires public_key", async () => {
    const generated = await call("POST", "/os-keypairs", {
      version: "2.91",
      body: { keypair: { name: "gen" } },
    });
    expect(generated.status).toBe(201);
    expect(createKeyPairResponseSchema.parse(generated.body).keypair).toMatchObject({
      name: "gen",
      type: "ssh",
      user_id: "alice",
      private_key: expect.stringMatching(/^-----BEGIN RSA PRIVATE KEY-----/),
      public_key: expect.stringMatching(/^ssh-rsa \S+ Generated-by-Nova$/),
      fingerprint: expect.stringMatching(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/),
    });
    // The private key is never stored or shown again.
    expect(
      (await call("GET", "/os-keypairs/gen", { version: "2.91" })).body.keypair.private_key,
    ).toBeUndefined();
    const refused = await call("POST", "/os-keypairs", {
      version: "2.92",
      body: { keypair: { name: "gen2" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toBe(
      "Invalid input for field/attribute keypair. Value: {'name': 'gen2'}. 'public_key' is a required property",
    );
  });

  it("names: letters, digits, '_', '-' and spaces; '@' and '.' from 2.92", async () => {
    expect((await importKey("a b_c-1")).status).toBe(201);
    const dotted = await importKey("alice@example.org", {}, "2.91");
    expect(dotted.status).toBe(400);
    expect(dotted.body.badRequest.message).toBe(
      "An invalid 'name' value was provided. The name must be: Only expected characters: " +
        "[_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]",
    );
    expect((await importKey("alice@example.org", {}, "2.92")).status).toBe(201);
    expect((await importKey(" lead", {}, "2.92")).status).toBe(400);
    expect((await importKey("", {}, "2.92")).status).toBe(400);
  });

  it("answers 409 for a name the user already has, 400 for a key that does not parse", async () => {
    expect((await importKey("k")).status).toBe(201);
    expect(await importKey("k")).toEqual({
      status: 409,
      body: { conflictingRequest: { code: 409, message: "Key pair 'k' already exists." } },
    });
    // Names are per user.
    expect((await importKey("k", {}, "2.2", BOB)).status).toBe(201);
    expect(await importKey("bad", { public_key: "ssh-rsa not-base64!" })).toEqual({
      status: 400,
      body: { badRequest: { code: 400, message: "Keypair data is invalid: failed to generate fingerprint" } },
    });
  });

  it("enforces the per-user key_pairs quota with Nova's 403", async () => {
    env.fake.keyPairs.limit = 2;
    expect((await importKey("a")).status).toBe(201);
    expect((await importKey("b")).status).toBe(201);
    expect(await importKey("c")).toEqual({
      status: 403,
      body: { forbidden: { code: 403, message: "Quota exceeded, too many key pairs." } },
    });
    // Another user of the same project has a quota of their own.
    expect((await importKey("c", {}, "2.2", BOB)).status).toBe(201);
  });

  it("2.10: an admin acts on another user's key pairs; a member is refused by policy", async () => {
    const forBob = await importKey("bobs", { user_id: "bob" }, "2.10", "admin:admin");
    expect(forBob.status).toBe(201);
    expect(forBob.body.keypair.user_id).toBe("bob");
    expect((await call("GET", "/os-keypairs/bobs", { version: "2.10", token: BOB })).status).toBe(200);
    expect(
      (await call("GET", "/os-keypairs?user_id=bob", { version: "2.10", token: "admin:admin" })).body,
    ).toMatchObject({ keypairs: [{ keypair: { name: "bobs" } }] });
    expect(await call("GET", "/os-keypairs?user_id=bob", { version: "2.10" })).toEqual({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.",
        },
      },
    });
    expect((await importKey("x", { user_id: "bob" }, "2.10")).status).toBe(403);
    expect((await call("GET", "/os-keypairs/bobs?user_id=bob", { version: "2.10" })).status).toBe(403);
    expect((await call("DELETE", "/os-keypairs/bobs?user_id=bob", { version: "2.10" })).status).toBe(403);
    // Before 2.10 user_id is neither accepted in the body nor read from the query.
    expect((await importKey("x", { user_id: "bob" }, "2.9", "admin:admin")).status).toBe(400);
    expect(
      (await call("GET", "/os-keypairs?user_id=bob", { version: "2.9", token: "admin:admin" })).body,
    ).toEqual({
      keypairs: [],
    });
    expect(
      (await call("DELETE", "/os-keypairs/bobs?user_id=bob", { version: "2.10", token: "admin:admin" }))
        .status,
    ).toBe(204);
  });

  it("2.35: pages by name with limit and marker, with a next link when a page is full", async () => {
    for (const name of ["d", "b", "a", "c"]) expect((await importKey(name)).status).toBe(201);
    const first = await call("GET", "/os-keypairs?limit=2", { version: "2.35" });
    expect(names(first.body)).toEqual(["a", "b"]);
    expect(first.body.keypairs_links).toEqual([
      { rel: "next", href: `${env.endpoint}/os-keypairs?limit=2&marker=b` },
    ]);
    const second = await call("GET", "/os-keypairs?limit=2&marker=b", { version: "2.35" });
    expect(names(second.body)).toEqual(["c", "d"]);
    const last = await call("GET", "/os-keypairs?limit=2&marker=d", { version: "2.35" });
    expect(last.body).toEqual({ keypairs: [] });
    expect(await call("GET", "/os-keypairs?marker=zz", { version: "2.35" })).toEqual({
      status: 400,
      body: { badRequest: { code: 400, message: "Marker zz could not be found." } },
    });
    expect((await call("GET", "/os-keypairs?limit=-1", { version: "2.35" })).status).toBe(400);
    // Before 2.35 limit and marker are ignored.
    const all = await call("GET", "/os-keypairs?limit=1&marker=zz", { version: "2.34" });
    expect(all.body.keypairs).toHaveLength(4);
    expect(all.body.keypairs_links).toBeUndefined();
  });

  it("2.75: unknown query parameters are refused", async () => {
    expect((await call("GET", "/os-keypairs?foo=1", { version: "2.74" })).status).toBe(200);
    expect(await call("GET", "/os-keypairs?foo=1", { version: "2.75" })).toEqual({
      status: 400,
      body: {
        badRequest: { code: 400, message: "Additional properties are not allowed ('foo' was unexpected)" },
      },
    });
    expect((await call("GET", "/os-keypairs/k?foo=1", { version: "2.75" })).status).toBe(400);
    expect((await call("DELETE", "/os-keypairs/k?foo=1", { version: "2.75" })).status).toBe(400);
  });
});

describe("create server with key_name", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  beforeEach(async () => {
    env = await startApi();
  });
  afterEach(() => env.close());

  it("shows the caller's key pair name on the server; an unknown name is Nova's 400", async () => {
    const alice = env.client(ALICE);
    const imported = await env.fetch("/v2.1/os-keypairs", {
      method: "POST",
      headers: { "X-Auth-Token": ALICE, "Content-Type": "application/json" },
      body: JSON.stringify({ keypair: { name: "mine", public_key: RSA } }),
    });
    expect(imported.status).toBe(200);
    const created = await alice.createServer({
      name: "s",
      flavorRef: "1",
      imageRef: FAKE_IMAGE_ID,
      key_name: "mine",
    });
    expect((await alice.getServer(created.id)).key_name).toBe("mine");

    const boot = (token: string, keyName: string) =>
      env.fetch("/v2.1/servers", {
        method: "POST",
        headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({
          server: { name: "s", flavorRef: "1", imageRef: FAKE_IMAGE_ID, key_name: keyName },
        }),
      });
    const unknown = await boot(ALICE, "nope");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      badRequest: { code: 400, message: "Invalid key_name provided." },
    });
    // Another user's key pair is not the caller's.
    const bobs = await boot(BOB, "mine");
    expect(bobs.status).toBe(400);
  });
});
