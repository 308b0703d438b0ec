import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { type TempestCase, tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const ALICE = "alice:a11ce";
const BOB = "bob:b0b";
const ADMIN = "admin:admin";
const SERVERS_CLIENT = "servers_client.ServersClient";
const UNKNOWN_IMAGE = "6e0d1c2b-3a4f-4e5d-8c7b-9a8f7e6d5c4b";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned field by field.
type Json = any;

describe("rebuild, shelve, rescue, snapshots and soft delete actions", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  const checked: TempestCase[] = [];
  afterEach(() => env.close());

  async function start(config: { reclaim_instance_interval?: number } = {}) {
    env = await startApi({ fake: { clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")) }, config });
    checked.length = 0;
  }

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

  const act = (id: string, body: unknown, options: { version?: string; token?: string } = {}) =>
    call("POST", `/servers/${id}/action`, { ...options, body });

  // A 2xx answer, kept for one tempest run per test.
  async function ok(
    schema: string,
    id: string,
    body: unknown,
    options: { version?: string; token?: string } = {},
  ) {
    const res = await act(id, body, options);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    checked.push({
      client: SERVERS_CLIENT,
      // The common action schema is only in v2_1 (tempest's client uses it whatever the microversion).
      ...(schema === "server_actions_common_schema" ? { module: "v2_1.servers" } : {}),
      schema,
      version: options.version ?? "2.1",
      status: res.status,
      body: res.body,
      headers: Object.fromEntries(res.headers),
    });
    return res;
  }

  async function boot(): Promise<string> {
    const res = await call("POST", "/servers", {
      body: { server: { name: "web", flavorRef: "1", imageRef: FAKE_IMAGE_ID } },
    });
    expect(res.status).toBe(202);
    env.fake.settle();
    return res.body.server.id;
  }

  const show = async (id: string) =>
    (await call("GET", `/servers/${id}`, { version: "2.91", token: ADMIN })).body.server;

  it("rebuild answers 202 with the server and its admin password, per microversion, then ACTIVE", async () => {
    await start();
    const id = await boot();
    const v21 = await ok("rebuild_server_with_admin_pass", id, {
      rebuild: { imageRef: FAKE_IMAGE_ID, name: "again", adminPass: "s3cret", metadata: { m: "1" } },
    });
    expect(v21.body.server).toMatchObject({ id, name: "again", adminPass: "s3cret", metadata: { m: "1" } });
    expect((await show(id))["OS-EXT-STS:task_state"]).toBe("rebuilding");
    env.fake.settle();
    expect(await show(id)).toMatchObject({ status: "ACTIVE", "OS-EXT-STS:task_state": null });
    // 2.90: hostname; the answer is the whole show view from 2.75.
    const v290 = await ok(
      "rebuild_server_with_admin_pass",
      id,
      {
        rebuild: {
          imageRef: FAKE_IMAGE_ID,
          hostname: "h-90",
          description: "d",
          key_name: null,
          user_data: null,
        },
      },
      { version: "2.90" },
    );
    expect(v290.body.server).toMatchObject({ "OS-EXT-SRV-ATTR:hostname": "h-90", description: "d" });
    expect(typeof v290.body.server.adminPass).toBe("string");
    env.fake.settle();
    // Schemas per microversion: personality goes at 2.57, user_data comes; hostname only from 2.90.
    const personality = { imageRef: FAKE_IMAGE_ID, personality: [{ path: "/etc/x", contents: "YQ==" }] };
    expect((await act(id, { rebuild: personality }, { version: "2.56" })).status).toBe(202);
    env.fake.settle();
    expect((await act(id, { rebuild: personality }, { version: "2.57" })).status).toBe(400);
    expect(
      (await act(id, { rebuild: { imageRef: FAKE_IMAGE_ID, hostname: "x" } }, { version: "2.89" })).status,
    ).toBe(400);
    expect((await act(id, { rebuild: { imageRef: "not-a-uuid" } })).status).toBe(400);
    expect((await act(id, { rebuild: {} })).status).toBe(400);
    expect((await act(id, { rebuild: { imageRef: UNKNOWN_IMAGE } })).status).toBe(400);
    expect((await act(id, { rebuild: { imageRef: FAKE_IMAGE_ID } }, { token: BOB })).status).toBe(404);
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("refuses an action in the wrong state with Nova's 409", async () => {
    await start();
    const id = await boot();
    const res = await act(id, { unrescue: null });
    expect(res.status).toBe(409);
    expect(res.body.conflictingRequest.message).toBe(
      `Cannot 'unrescue' instance ${id} while it is in vm_state active`,
    );
    await act(id, { rebuild: { imageRef: FAKE_IMAGE_ID } });
    const busy = await act(id, { shelve: null });
    expect(busy.status).toBe(409);
    expect(busy.body.conflictingRequest.message).toMatch(/while it is in task_state rebuilding/);
    expect((await act(id, { restore: null })).status).toBe(409);
  });

  it("shelve, shelveOffload (admin) and unshelve with 2.77 / 2.91 bodies", async () => {
    await start();
    const id = await boot();
    await ok("server_actions_common_schema", id, { shelve: null });
    env.fake.settle();
    expect(await show(id)).toMatchObject({ status: "SHELVED_OFFLOADED", "OS-EXT-SRV-ATTR:host": null });
    // No host, yet Nova's snapshot refuses it for its vm_state (no check_instance_host), not as "not ready".
    const snapshot = await act(id, { createImage: { name: "offloaded" } });
    expect(snapshot.status).toBe(409);
    expect(snapshot.body.conflictingRequest.message).toBe(
      `Cannot 'createImage' instance ${id} while it is in vm_state shelved_offloaded`,
    );
    // shelveOffload is admin only by default.
    expect((await act(id, { shelveOffload: null })).status).toBe(403);
    // 2.77 refuses `{}` and a host; 2.91 takes a host.
    expect((await act(id, { unshelve: {} }, { version: "2.77" })).status).toBe(400);
    expect((await act(id, { unshelve: { host: "fake-host-1" } }, { version: "2.77" })).status).toBe(400);
    expect((await act(id, { unshelve: { host: "fake-host-1" } }, { version: "2.91" })).status).toBe(403);
    await ok(
      "server_actions_common_schema",
      id,
      { unshelve: { host: "fake-host-1" } },
      { version: "2.91", token: ADMIN },
    );
    expect(await show(id)).toMatchObject({ status: "ACTIVE", "OS-EXT-SRV-ATTR:host": "fake-host-1" });
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("rescue answers the admin password; unrescue brings it back", async () => {
    await start();
    const id = await boot();
    const res = await ok("rescue_server_with_admin_pass", id, { rescue: { adminPass: "pw" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ adminPass: "pw" });
    env.fake.settle();
    expect((await show(id)).status).toBe("RESCUE");
    await ok("server_actions_common_schema", id, { unrescue: null });
    env.fake.settle();
    expect((await show(id)).status).toBe("ACTIVE");
    const generated = await act(await boot(), { rescue: null });
    expect(generated.body.adminPass).toMatch(/^[2-9A-Za-z]{12}$/);
    expect((await act(id, { rescue: { rescue_image_ref: UNKNOWN_IMAGE } })).status).toBe(400);
    expect(tempestViolations(checked)).toEqual([]);
  });

  it("createImage: Location before 2.45, image_id from 2.45; the image is listed; createBackup rotates", async () => {
    await start();
    const id = await boot();
    const v21 = await act(id, { createImage: { name: "snap", metadata: { a: "b" } } });
    expect(v21.status).toBe(202);
    expect(v21.body).toBeNull();
    const location = v21.headers.get("location")!;
    expect(location).toMatch(/\/v2\.1\/images\/[0-9a-f-]{36}$/);
    const v245 = await act(id, { createImage: { name: "snap-2" } }, { version: "2.45" });
    expect(v245.body).toEqual({ image_id: expect.any(String) });
    const images: Json[] = (await call("GET", "/images/detail")).body.images;
    expect(images.find((i) => i.id === v245.body.image_id)).toMatchObject({
      name: "snap-2",
      status: "ACTIVE",
    });
    expect((await act(id, { createImage: {} })).status).toBe(400);
    // Backups of one type beyond the rotation go.
    const backups: string[] = [];
    for (const name of ["b1", "b2", "b3"]) {
      const res = await act(
        id,
        { createBackup: { name, backup_type: "daily", rotation: 2 } },
        { version: "2.45" },
      );
      backups.push(res.body.image_id);
    }
    const listed = (await call("GET", "/images")).body.images.map((i: Json) => i.id);
    expect(backups.filter((b) => listed.includes(b))).toEqual(backups.slice(1));
    expect((await act(id, { createBackup: { name: "x", backup_type: "daily", rotation: -1 } })).status).toBe(
      400,
    );
    const v21Backup = await act(id, { createBackup: { name: "b", backup_type: "weekly", rotation: "1" } });
    expect(v21Backup.status).toBe(202);
    expect(v21Backup.headers.get("location")).toMatch(/\/images\//);
  });

  it("with reclaim_instance_interval DELETE soft-deletes; restore and forceDelete follow Nova's rules", async () => {
    await start({ reclaim_instance_interval: 3600 });
    const id = await boot();
    expect((await call("DELETE", `/servers/${id}`)).status).toBe(204);
    env.fake.settle();
    expect((await show(id)).status).toBe("SOFT_DELETED");
    await ok("server_actions_common_schema", id, { restore: null });
    env.fake.settle();
    expect((await show(id)).status).toBe("ACTIVE");
    await call("DELETE", `/servers/${id}`);
    env.fake.settle();
    await ok("server_actions_common_schema", id, { forceDelete: null });
    env.fake.settle();
    expect((await call("GET", `/servers/${id}`)).status).toBe(404);
    expect(tempestViolations(checked)).toEqual([]);
  });
});
