import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { type TempestCase, tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const ALICE = "alice:a11ce";
const BOB = "bob:b0b";
const ADMIN = "admin:admin";
const SERVERS_CLIENT = "servers_client.ServersClient";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned field by field.
type Json = any;

describe("server update, metadata, tags and lock", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  const checked: TempestCase[] = [];
  beforeEach(async () => {
    env = await startApi({ fake: { clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")) } });
    env.fake.quotas.configured = { ...env.fake.quotas.configured, metadata_items: 3 };
    checked.length = 0;
  });
  afterEach(() => env.close());

  async function call(
    method: string,
    path: string,
    options: { version?: string; token?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const headers: Record<string, string> = {
      "X-Auth-Token": options.token ?? ALICE,
      "OpenStack-API-Version": `compute ${options.version ?? "2.1"}`,
    };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await env.fetch(`/v2.1${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  // Each 2xx answer is kept for one tempest run per test.
  async function ok(schema: string, method: string, path: string, options: Parameters<typeof call>[2] = {}) {
    const res = await call(method, path, options);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    checked.push({
      client: SERVERS_CLIENT,
      schema,
      version: options.version ?? "2.1",
      status: res.status,
      body: res.body,
      headers: Object.fromEntries(res.headers),
    });
    return res;
  }

  async function boot(token = ALICE): Promise<string> {
    const res = await call("POST", "/servers", {
      token,
      body: { server: { name: "web", flavorRef: "1", imageRef: FAKE_IMAGE_ID, metadata: { a: "1" } } },
    });
    expect(res.status).toBe(202);
    env.fake.settle();
    return res.body.server.id;
  }

  it("updates name, description and hostname with the show view of each microversion", async () => {
    const id = await boot();
    const v21 = await ok("update_server", "PUT", `/servers/${id}`, {
      body: { server: { name: "renamed", accessIPv4: "10.0.0.9", "OS-DCF:diskConfig": "AUTO" } },
    });
    expect(v21.body.server).toMatchObject({
      name: "renamed",
      accessIPv4: "10.0.0.9",
      "OS-DCF:diskConfig": "AUTO",
    });
    // Before 2.75 the answer leaves out the extension fields show has.
    expect(v21.body.server["OS-EXT-STS:vm_state"]).toBeUndefined();
    expect(v21.body.server.key_name).toBeUndefined();
    const v219 = await ok("update_server", "PUT", `/servers/${id}`, {
      version: "2.19",
      body: { server: { description: "about" } },
    });
    expect(v219.body.server.description).toBe("about");
    await ok("update_server", "PUT", `/servers/${id}`, { version: "2.26", body: { server: { name: "x" } } });
    await ok("update_server", "PUT", `/servers/${id}`, { version: "2.73", body: { server: {} } });
    const v275 = await ok("update_server", "PUT", `/servers/${id}`, {
      version: "2.75",
      body: { server: {} },
    });
    expect(v275.body.server["OS-EXT-STS:vm_state"]).toBe("active");
    const v290 = await ok("update_server", "PUT", `/servers/${id}`, {
      version: "2.90",
      body: { server: { hostname: "new-host" } },
    });
    expect(v290.body.server["OS-EXT-SRV-ATTR:hostname"]).toBe("new-host");
    // description before 2.19 and hostname before 2.90 are unknown properties.
    expect((await call("PUT", `/servers/${id}`, { body: { server: { description: "d" } } })).status).toBe(
      400,
    );
    expect(
      (await call("PUT", `/servers/${id}`, { version: "2.89", body: { server: { hostname: "h1" } } })).status,
    ).toBe(400);
    expect((await call("PUT", `/servers/${id}`, { body: { server: { name: " pad" } } })).status).toBe(400);
    // Another project's server is not found.
    expect(
      (await call("PUT", `/servers/${id}`, { token: BOB, body: { server: { name: "y" } } })).status,
    ).toBe(404);
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("reads, merges, replaces and deletes metadata with Nova's checks", async () => {
    const id = await boot();
    expect((await ok("list_server_metadata", "GET", `/servers/${id}/metadata`)).body).toEqual({
      metadata: { a: "1" },
    });
    const merged = await ok("update_server_metadata", "POST", `/servers/${id}/metadata`, {
      body: { metadata: { b: "2" } },
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ metadata: { a: "1", b: "2" } });
    const item = await ok("set_show_server_metadata_item", "PUT", `/servers/${id}/metadata/c`, {
      body: { meta: { c: "3" } },
    });
    expect(item.body).toEqual({ meta: { c: "3" } });
    expect((await ok("set_show_server_metadata_item", "GET", `/servers/${id}/metadata/c`)).body).toEqual({
      meta: { c: "3" },
    });
    // A fourth item is over `[quota] metadata_items` = 3.
    const over = await call("POST", `/servers/${id}/metadata`, { body: { metadata: { d: "4" } } });
    expect(over).toMatchObject({
      status: 403,
      body: { forbidden: { message: "Maximum number of metadata items exceeds 3" } },
    });
    const mismatch = await call("PUT", `/servers/${id}/metadata/c`, { body: { meta: { z: "1" } } });
    expect(mismatch).toMatchObject({
      status: 400,
      body: { badRequest: { message: "Request body and URI mismatch" } },
    });
    expect(
      (await call("PUT", `/servers/${id}/metadata/c`, { body: { meta: { c: "1", d: "2" } } })).status,
    ).toBe(400);
    expect(
      (await call("POST", `/servers/${id}/metadata`, { body: { metadata: { k: "x".repeat(256) } } })).status,
    ).toBe(400);
    const replaced = await ok("set_server_metadata", "PUT", `/servers/${id}/metadata`, {
      body: { metadata: { only: "one" } },
    });
    expect(replaced.body).toEqual({ metadata: { only: "one" } });
    const deleted = await ok("delete_server_metadata_item", "DELETE", `/servers/${id}/metadata/only`);
    expect(deleted.status).toBe(204);
    const missing = await call("GET", `/servers/${id}/metadata/only`);
    expect(missing).toMatchObject({
      status: 404,
      body: { itemNotFound: { message: "Metadata item was not found" } },
    });
    expect((await call("DELETE", `/servers/${id}/metadata/only`)).status).toBe(404);
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("refuses metadata changes while locked by someone else, building, or busy (409)", async () => {
    const id = await boot();
    env.fake.setServer(id, { taskState: "rebooting" });
    const busy = await call("POST", `/servers/${id}/metadata`, { body: { metadata: { b: "2" } } });
    expect(busy).toMatchObject({ status: 409 });
    expect(busy.body.conflictingRequest.message).toBe(
      `Cannot 'update metadata' instance ${id} while it is in task_state rebooting`,
    );
    env.fake.setServer(id, { taskState: null, locked: true, lockedBy: "admin" });
    // Locked and over quota: the lock answers first, as in Nova.
    const both = await call("POST", `/servers/${id}/metadata`, {
      body: { metadata: { b: "2", c: "3", d: "4" } },
    });
    expect(both.status).toBe(409);
    const locked = await call("DELETE", `/servers/${id}/metadata/a`);
    expect(locked).toMatchObject({
      status: 409,
      body: { conflictingRequest: { message: `Instance ${id} is locked` } },
    });
    // An admin passes the lock.
    expect(
      (await call("POST", `/servers/${id}/metadata`, { token: ADMIN, body: { metadata: { b: "2" } } }))
        .status,
    ).toBe(200);
  });

  it("2.26: lists, adds, checks, replaces and deletes tags; tags in the server view", async () => {
    const id = await boot();
    const v = { version: "2.26" };
    expect((await call("GET", `/servers/${id}/tags`, { version: "2.25" })).status).toBe(404);
    expect((await ok("list_tags", "GET", `/servers/${id}/tags`, v)).body).toEqual({ tags: [] });
    const added = await ok("update_tag", "PUT", `/servers/${id}/tags/blue`, v);
    expect(added.status).toBe(201);
    expect(added.headers.get("location")).toBe(`${env.endpoint}/servers/${id}/tags/blue`);
    // Adding a tag the server has: 204 without a Location, as Nova answers (tempest's schema, which
    // requires one, is only exercised with new tags).
    const again = await call("PUT", `/servers/${id}/tags/blue`, v);
    expect(again.status).toBe(204);
    expect(again.headers.get("location")).toBeNull();
    expect((await ok("check_tag_existence", "GET", `/servers/${id}/tags/blue`, v)).status).toBe(204);
    const absent = await call("GET", `/servers/${id}/tags/red`, v);
    expect(absent).toMatchObject({
      status: 404,
      body: { itemNotFound: { message: `Server ${id} has no tag 'red'` } },
    });
    const bad = await call("PUT", `/servers/${id}/tags/a,b`, v);
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toContain("Tag 'a,b' is invalid.");
    const all = await ok("update_all_tags", "PUT", `/servers/${id}/tags`, {
      ...v,
      body: { tags: ["z", "a", "z"] },
    });
    expect(all.body).toEqual({ tags: ["a", "z"] });
    expect((await call("PUT", `/servers/${id}/tags`, { ...v, body: { tags: ["a/b"] } })).status).toBe(400);
    const tooMany = Array.from({ length: 51 }, (_, i) => `t${i}`);
    expect((await call("PUT", `/servers/${id}/tags`, { ...v, body: { tags: tooMany } })).status).toBe(400);
    await ok("update_all_tags", "PUT", `/servers/${id}/tags`, { ...v, body: { tags: tooMany.slice(0, 50) } });
    const full = await call("PUT", `/servers/${id}/tags/extra`, v);
    expect(full).toMatchObject({
      status: 400,
      body: { badRequest: { message: "The number of tags exceeded the per-server limit 50" } },
    });
    expect((await ok("delete_tag", "DELETE", `/servers/${id}/tags/t0`, v)).status).toBe(204);
    expect((await call("DELETE", `/servers/${id}/tags/t0`, v)).status).toBe(404);
    expect((await ok("get_server", "GET", `/servers/${id}`, v)).body.server.tags).toHaveLength(49);
    expect((await ok("delete_all_tags", "DELETE", `/servers/${id}/tags`, v)).status).toBe(204);
    expect((await call("GET", `/servers/${id}/tags`, v)).body).toEqual({ tags: [] });
    // Changes need ACTIVE, PAUSED, SUSPENDED or STOPPED.
    env.fake.setServer(id, { vmState: "error" });
    const refused = await call("PUT", `/servers/${id}/tags/x`, v);
    expect(refused).toMatchObject({
      status: 409,
      body: {
        conflictingRequest: { message: `Cannot 'update tag' instance ${id} while it is in vm_state error` },
      },
    });
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("lists servers by tags, tags-any, not-tags and not-tags-any from 2.26", async () => {
    const a = await boot();
    const b = await boot();
    const v = { version: "2.26" };
    await call("PUT", `/servers/${a}/tags`, { ...v, body: { tags: ["x", "y"] } });
    await call("PUT", `/servers/${b}/tags`, { ...v, body: { tags: ["y"] } });
    const ids = async (q: string) =>
      ((await call("GET", `/servers?${q}`, v)).body.servers as { id: string }[]).map((s) => s.id).sort();
    expect(await ids("tags=x,y")).toEqual([a]);
    expect(await ids("tags-any=x,y")).toEqual([a, b].sort());
    expect(await ids("not-tags=x,y")).toEqual([b]);
    expect(await ids("not-tags-any=x")).toEqual([b]);
  });

  it("shows OS-EXT-SRV-ATTR fields to admins by policy, as the instance has them; the 2.90 hostname to all", async () => {
    const id = await boot();
    env.fake.setServer(id, { kernelId: "k-1", ramdiskId: null, rootDeviceName: "/dev/vda" });
    const admin = await ok("get_server", "GET", `/servers/${id}`, { token: ADMIN, version: "2.3" });
    expect(admin.body.server).toMatchObject({
      "OS-EXT-SRV-ATTR:kernel_id": "k-1",
      "OS-EXT-SRV-ATTR:ramdisk_id": "",
      "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
      "OS-EXT-SRV-ATTR:host": "fake-host-1",
    });
    const member = await ok("get_server", "GET", `/servers/${id}`, { version: "2.3" });
    expect(Object.keys(member.body.server).filter((k) => k.startsWith("OS-EXT-SRV-ATTR:"))).toEqual([]);
    const v290 = await ok("get_server", "GET", `/servers/${id}`, { version: "2.90" });
    expect(Object.keys(v290.body.server).filter((k) => k.startsWith("OS-EXT-SRV-ATTR:"))).toEqual([
      "OS-EXT-SRV-ATTR:hostname",
    ]);
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("2.73: locks with a reason, shows it, and keeps an admin's lock from the owner", async () => {
    const id = await boot();
    const v = { version: "2.73" };
    expect(
      (await call("POST", `/servers/${id}/action`, { ...v, body: { lock: { locked_reason: "" } } })).status,
    ).toBe(400);
    expect((await call("POST", `/servers/${id}/action`, { ...v, body: { lock: { why: "x" } } })).status).toBe(
      400,
    );
    expect(
      (await call("POST", `/servers/${id}/action`, { ...v, body: { lock: { locked_reason: "maint" } } }))
        .status,
    ).toBe(202);
    const shown = await ok("get_server", "GET", `/servers/${id}`, v);
    expect(shown.body.server).toMatchObject({ locked: true, locked_reason: "maint" });
    // A locked server refuses the owner's actions.
    expect((await call("POST", `/servers/${id}/action`, { body: { "os-stop": null } })).status).toBe(409);
    expect((await call("POST", `/servers/${id}/action`, { ...v, body: { unlock: null } })).status).toBe(202);
    expect((await ok("get_server", "GET", `/servers/${id}`, v)).body.server).toMatchObject({
      locked: false,
      locked_reason: null,
    });
    // An admin's lock (2.1: the body is not checked) needs unlock_override to undo.
    expect((await call("POST", `/servers/${id}/action`, { token: ADMIN, body: { lock: null } })).status).toBe(
      202,
    );
    const denied = await call("POST", `/servers/${id}/action`, { body: { unlock: null } });
    expect(denied).toMatchObject({
      status: 403,
      body: {
        forbidden: {
          message:
            "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.",
        },
      },
    });
    expect(
      (await call("POST", `/servers/${id}/action`, { token: ADMIN, body: { unlock: null } })).status,
    ).toBe(202);
    expect((await call("GET", `/servers/${id}`, { version: "2.9" })).body.server.locked).toBe(false);
    expect(tempestViolations(checked)).toEqual([]);
  });
});
