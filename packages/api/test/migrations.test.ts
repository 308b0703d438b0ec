import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const ALICE = "alice:a11ce";
const ADMIN = "admin:admin";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned field by field.
type Json = any;

// The resize/migrate/confirmResize/revertResize actions and os-migrations over the fake backend: bodies per
// microversion, Nova's faults for bad input and state, policy, and the migration views.
describe("resize, migrate and os-migrations", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  beforeEach(async () => {
    env = await startApi({ fake: { clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")) } });
  });
  afterEach(() => env.close());

  async function call(
    method: string,
    path: string,
    options: { version?: string; token?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: Json }> {
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
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async function boot(): Promise<string> {
    const res = await call("POST", "/servers", {
      body: { server: { name: "web", flavorRef: "1", imageRef: FAKE_IMAGE_ID } },
    });
    expect(res.status).toBe(202);
    env.fake.settle();
    return res.body.server.id;
  }

  it("resizes, refuses bad bodies and states with Nova's faults, and confirms a finished resize", async () => {
    const id = await boot();
    const action = (body: unknown, options: { token?: string; version?: string } = {}) =>
      call("POST", `/servers/${id}/action`, { body, ...options });
    expect((await action({ resize: {} })).status).toBe(400);
    expect((await action({ resize: { flavorRef: "2", extra: 1 } })).status).toBe(400);
    expect((await action({ resize: { flavorRef: "nope" } })).body.badRequest.message).toBe(
      "Unable to locate requested flavor.",
    );
    expect((await action({ resize: { flavorRef: "1" } })).body.badRequest.message).toBe(
      "When resizing, instances must change flavor!",
    );
    // Nothing to confirm yet.
    expect((await action({ confirmResize: null })).status).toBe(409);
    expect((await action({ resize: { flavorRef: "2" } })).status).toBe(202);
    const during = await call("GET", `/servers/${id}`);
    expect(during.body.server.status).toBe("RESIZE");
    // A second resize while the first runs is a conflict naming the task state.
    const again = await action({ resize: { flavorRef: "2" } });
    expect(again.status).toBe(409);
    expect(again.body.conflictingRequest.message).toBe(
      `Cannot 'resize' instance ${id} while it is in task_state resize_prep`,
    );
    env.fake.migrations.finish(id, "fake-host-2");
    expect((await call("GET", `/servers/${id}`)).body.server.status).toBe("VERIFY_RESIZE");
    expect((await action({ confirmResize: { x: 1 } })).status).toBe(400);
    expect((await action({ confirmResize: null })).status).toBe(204);
    expect((await call("GET", `/servers/${id}`)).body.server.status).toBe("ACTIVE");
  });

  it("reverts a finished resize (202, REVERT_RESIZE)", async () => {
    const id = await boot();
    await call("POST", `/servers/${id}/action`, { body: { resize: { flavorRef: "2" } } });
    env.fake.migrations.finish(id, "fake-host-2");
    const res = await call("POST", `/servers/${id}/action`, { body: { revertResize: null } });
    expect(res.status).toBe(202);
    expect((await call("GET", `/servers/${id}`)).body.server.status).toBe("REVERT_RESIZE");
  });

  it("migrates for admins only, with a host from 2.56", async () => {
    const id = await boot();
    const denied = await call("POST", `/servers/${id}/action`, { body: { migrate: null } });
    expect(denied.status).toBe(403);
    // Before 2.56 the body takes nothing; from 2.56 an optional host.
    const early = await call("POST", `/servers/${id}/action`, {
      token: ADMIN,
      body: { migrate: { host: "h" } },
    });
    expect(early.status).toBe(400);
    const bad = await call("POST", `/servers/${id}/action`, {
      token: ADMIN,
      version: "2.56",
      body: { migrate: { host: "bad host!" } },
    });
    expect(bad.status).toBe(400);
    const ok = await call("POST", `/servers/${id}/action`, {
      token: ADMIN,
      version: "2.56",
      body: { migrate: { host: null } },
    });
    expect(ok.status).toBe(202);
  });

  it("lists os-migrations per microversion (fields, 2.59 paging, 2.80 owner) for admins", async () => {
    const ids = [await boot(), await boot(), await boot()];
    for (const id of ids) {
      await call("POST", `/servers/${id}/action`, { body: { resize: { flavorRef: "2" } } });
    }
    expect((await call("GET", "/os-migrations")).status).toBe(403);
    const v21 = await call("GET", "/os-migrations", { token: ADMIN });
    expect(v21.body.migrations).toHaveLength(3);
    expect(v21.body.migrations[0]).not.toHaveProperty("migration_type");
    expect(v21.body.migrations[0]).not.toHaveProperty("uuid");
    const v223 = await call("GET", "/os-migrations", { token: ADMIN, version: "2.23" });
    expect(v223.body.migrations[0]).toMatchObject({ migration_type: "resize", status: "pre-migrating" });
    const page = await call("GET", "/os-migrations?limit=2", { token: ADMIN, version: "2.59" });
    expect(page.body.migrations).toHaveLength(2);
    expect(page.body.migrations_links[0].href).toContain(`marker=${page.body.migrations[1].uuid}`);
    const rest = await call("GET", `/os-migrations?limit=2&marker=${page.body.migrations[1].uuid}`, {
      token: ADMIN,
      version: "2.59",
    });
    expect(rest.body.migrations.map((m: Json) => m.instance_uuid)).toEqual([ids[0]]);
    expect((await call("GET", "/os-migrations?marker=nope", { token: ADMIN, version: "2.59" })).status).toBe(
      400,
    );
    // Unknown query parameters are refused from 2.59, ignored before.
    expect((await call("GET", "/os-migrations?bogus=1", { token: ADMIN, version: "2.59" })).status).toBe(400);
    expect((await call("GET", "/os-migrations?bogus=1", { token: ADMIN })).status).toBe(200);
    const v280 = await call("GET", `/os-migrations?user_id=alice`, { token: ADMIN, version: "2.80" });
    expect(v280.body.migrations[0]).toMatchObject({ user_id: "alice", project_id: "a11ce" });
    // The server migrations resource lists live migrations only (none here), from 2.23.
    const server = await call("GET", `/servers/${ids[0]}/migrations`, { token: ADMIN, version: "2.23" });
    expect(server.body).toEqual({ migrations: [] });
    expect((await call("GET", `/servers/${ids[0]}/migrations`, { token: ADMIN })).status).toBe(404);
    // Tempest's 2.59 schema has no migrations_links (Nova sends them on a full page): checked without paging.
    const v259 = await call("GET", "/os-migrations", { token: ADMIN, version: "2.59" });
    expect(v259.body.migrations[0].uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      tempestViolations(
        [
          ["2.1", v21],
          ["2.23", v223],
          ["2.59", v259],
        ].map(([version, res]) => ({
          client: "migrations_client.MigrationsClient",
          schema: "list_migrations",
          version: version as string,
          status: (res as { status: number }).status,
          body: (res as { body: Json }).body,
        })),
      ),
    ).toEqual([]);
  });

  it("live migrates per microversion's body, for admins, then force-completes and aborts (2.22, 2.24, 2.65)", async () => {
    const id = await boot();
    const live = (body: unknown, version: string, token = ADMIN) =>
      call("POST", `/servers/${id}/action`, { body: { "os-migrateLive": body }, version, token });
    // 2.1 needs disk_over_commit and refuses `auto`; 2.25 drops disk_over_commit; force is 2.30 to 2.67 only.
    expect((await live({ host: null, block_migration: false }, "2.1")).status).toBe(400);
    expect((await live({ host: null, block_migration: "auto", disk_over_commit: false }, "2.1")).status).toBe(
      400,
    );
    expect(
      (await live({ host: null, block_migration: "auto", disk_over_commit: false }, "2.25")).status,
    ).toBe(400);
    expect(
      (await live({ host: null, block_migration: "auto", force: true }, "2.30")).body.badRequest.message,
    ).toBe("Can't force to a non-provided destination");
    expect((await live({ host: "h", block_migration: "auto", force: false }, "2.68")).status).toBe(400);
    expect((await live({ host: null, block_migration: "auto" }, "2.25", ALICE)).status).toBe(403);
    expect((await live({ host: null, block_migration: "auto" }, "2.25")).status).toBe(202);
    const server = (await call("GET", `/servers/${id}`, { token: ADMIN, version: "2.1" })).body.server;
    expect(server.status).toBe("MIGRATING");
    // A second one while it runs: 409 naming the task.
    expect(
      (await live({ host: null, block_migration: "auto" }, "2.25")).body.conflictingRequest.message,
    ).toBe(`Cannot 'os-migrateLive' instance ${id} while it is in task_state migrating`);
    const [m] = (await call("GET", `/servers/${id}/migrations`, { token: ADMIN, version: "2.23" })).body
      .migrations;
    expect(m).toMatchObject({ status: "accepted", server_uuid: id });
    const force = (version: string) =>
      call("POST", `/servers/${id}/migrations/${m.id}/action`, {
        body: { force_complete: null },
        version,
        token: ADMIN,
      });
    const abort = (version: string, migrationId = m.id) =>
      call("DELETE", `/servers/${id}/migrations/${migrationId}`, { version, token: ADMIN });
    expect((await force("2.21")).status).toBe(404);
    // Not running yet: force_complete and a 2.24 abort are 400; from 2.65 a queued or preparing one is aborted.
    expect((await force("2.22")).status).toBe(400);
    expect((await abort("2.24", 999)).status).toBe(404);
    env.fake.migrations.setStatus(id, "queued");
    expect((await abort("2.24")).body.badRequest.message).toBe(
      `Migration ${m.id} state of instance ${id} is queued. Cannot abort live migration while the migration is in this state.`,
    );
    env.fake.migrations.setStatus(id, "running");
    expect((await force("2.22")).status).toBe(202);
    expect((await abort("2.23")).status).toBe(404);
    env.fake.migrations.setStatus(id, "preparing");
    expect((await abort("2.65")).status).toBe(202);
    expect((await call("GET", `/servers/${id}`)).body.server.status).toBe("ACTIVE");
  });

  it("evacuates per microversion's body: the password before 2.14, nothing from 2.14", async () => {
    const id = await boot();
    const evacuate = (body: unknown, version: string) =>
      call("POST", `/servers/${id}/action`, { body: { evacuate: body }, version, token: ADMIN });
    expect((await evacuate({}, "2.1")).status).toBe(400);
    expect((await evacuate({ onSharedStorage: true, adminPass: "x" }, "2.1")).status).toBe(400);
    expect((await evacuate({ onSharedStorage: false }, "2.14")).status).toBe(400);
    expect((await evacuate({ force: true }, "2.29")).body.badRequest.message).toBe(
      "Can't force to a non-provided destination",
    );
    expect((await evacuate({ host: "h", force: false }, "2.68")).status).toBe(400);
    const old = await evacuate({ onSharedStorage: false, adminPass: "s3cret" }, "2.1");
    expect(old).toEqual({ status: 200, body: { adminPass: "s3cret" } });
    expect((await call("GET", `/servers/${id}`)).body.server.status).toBe("REBUILD");
    const [m] = (
      await call("GET", "/os-migrations", { token: ADMIN, version: "2.23", body: undefined })
    ).body.migrations.filter((x: Json) => x.instance_uuid === id);
    expect(m).toMatchObject({ migration_type: "evacuation", status: "accepted" });
    expect((await evacuate({}, "2.68")).status).toBe(409);
  });
});
