import { listServerGroupsResponseSchema, showServerGroupResponseSchema } from "@nova/client";
import { tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const ALICE = "alice:a11ce";
const BOB = "bob:b0b";
const ADMIN = "admin:admin";
const CLIENT = "server_groups_client.ServerGroupsClient";

describe("os-server-groups", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  beforeEach(async () => {
    env = await startApi();
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
  const create = (serverGroup: Record<string, unknown>, version = "2.1", token = ALICE) =>
    call("POST", "/os-server-groups", { version, token, body: { server_group: serverGroup } });

  it("2.1: policies and empty metadata; show, list and delete (204) answer as Nova", async () => {
    const created = await create({ name: "web", policies: ["anti-affinity"] });
    expect(created.status).toBe(200);
    const id = created.body.server_group.id;
    expect(created.body).toEqual({
      server_group: { id, name: "web", policies: ["anti-affinity"], metadata: {}, members: [] },
    });
    const shown = await call("GET", `/os-server-groups/${id}`, { version: "2.1" });
    expect(shown).toEqual({ status: 200, body: created.body });
    const listed = await call("GET", "/os-server-groups", { version: "2.1" });
    expect(listServerGroupsResponseSchema.parse(listed.body).server_groups.map((g) => g.id)).toEqual([id]);
    const deleted = await call("DELETE", `/os-server-groups/${id}`, { version: "2.1" });
    expect(deleted.status).toBe(204);
    expect((await call("GET", `/os-server-groups/${id}`)).status).toBe(404);
    expect((await call("DELETE", `/os-server-groups/${id}`)).body.itemNotFound.message).toBe(
      `Instance group ${id} could not be found.`,
    );
    expect(
      tempestViolations([
        { client: CLIENT, schema: "create_show_server_group", version: "2.1", ...created },
        { client: CLIENT, schema: "create_show_server_group", version: "2.1", ...shown },
        { client: CLIENT, schema: "list_server_groups", version: "2.1", ...listed },
        { client: CLIENT, schema: "delete_server_group", version: "2.1", status: deleted.status, body: null },
      ]),
    ).toEqual([]);
  });

  it("2.13 adds project_id and user_id; 2.64 shows policy and rules instead of policies and metadata", async () => {
    const v213 = await create({ name: "g", policies: ["affinity"] }, "2.13");
    expect(v213.body.server_group).toEqual({
      id: v213.body.server_group.id,
      name: "g",
      policies: ["affinity"],
      metadata: {},
      members: [],
      project_id: "a11ce",
      user_id: "alice",
    });
    const v264 = await create(
      { name: "h", policy: "anti-affinity", rules: { max_server_per_host: "2" } },
      "2.64",
    );
    expect(v264.status).toBe(200);
    expect(showServerGroupResponseSchema.parse(v264.body).server_group).toEqual({
      id: v264.body.server_group.id,
      name: "h",
      policy: "anti-affinity",
      rules: { max_server_per_host: 2 },
      members: [],
      project_id: "a11ce",
      user_id: "alice",
    });
    const shown264 = await call("GET", `/os-server-groups/${v213.body.server_group.id}`, { version: "2.64" });
    expect(shown264.body.server_group).toMatchObject({ policy: "affinity", rules: {} });
    expect(shown264.body.server_group).not.toHaveProperty("policies");
    const list264 = await call("GET", "/os-server-groups", { version: "2.64" });
    expect(
      tempestViolations([
        { client: CLIENT, schema: "create_show_server_group", version: "2.13", ...v213 },
        { client: CLIENT, schema: "create_show_server_group", version: "2.64", ...v264 },
        { client: CLIENT, schema: "create_show_server_group", version: "2.64", ...shown264 },
        { client: CLIENT, schema: "list_server_groups", version: "2.64", ...list264 },
      ]),
    ).toEqual([]);
  });

  it("validates bodies per microversion as Nova's schemas do", async () => {
    // Soft policies arrive in 2.15.
    expect((await create({ name: "s", policies: ["soft-affinity"] }, "2.14")).status).toBe(400);
    expect((await create({ name: "s", policies: ["soft-affinity"] }, "2.15")).status).toBe(200);
    // Exactly one policy; `policy` only from 2.64, `policies` only before it.
    expect((await create({ name: "s", policies: ["affinity", "anti-affinity"] })).status).toBe(400);
    expect((await create({ name: "s", policies: [] })).status).toBe(400);
    expect((await create({ name: "s", policy: "affinity" }, "2.63")).status).toBe(400);
    expect((await create({ name: "s", policies: ["affinity"] }, "2.64")).status).toBe(400);
    expect((await create({ policy: "affinity" }, "2.64")).status).toBe(400);
    expect(
      (await create({ name: "s", policy: "anti-affinity", rules: { max_server_per_host: 0 } }, "2.64"))
        .status,
    ).toBe(400);
    expect((await create({ name: "s", policy: "anti-affinity", rules: { other: 1 } }, "2.64")).status).toBe(
      400,
    );
    const affinityRules = await create(
      { name: "s", policy: "affinity", rules: { max_server_per_host: 2 } },
      "2.64",
    );
    expect(affinityRules.status).toBe(400);
    expect(affinityRules.body.badRequest.message).toBe("Only anti-affinity policy supports rules.");
    // An empty rules object is no rules, which any policy takes.
    expect((await create({ name: "s", policy: "affinity", rules: {} }, "2.64")).status).toBe(200);
  });

  it("refuses a group over the project's quota with Nova's 403", async () => {
    env.fake.serverGroups.limit = 1;
    expect((await create({ name: "a", policies: ["affinity"] })).status).toBe(200);
    const over = await create({ name: "b", policies: ["affinity"] });
    expect(over.status).toBe(403);
    expect(over.body.forbidden.message).toBe("Quota exceeded, too many server groups.");
  });

  it("keeps projects apart; admins list every project with all_projects, members silently their own", async () => {
    const mine = (await create({ name: "a", policies: ["affinity"] })).body.server_group.id;
    const theirs = (await create({ name: "b", policies: ["affinity"] }, "2.1", BOB)).body.server_group.id;
    const ids = async (query: string, token: string) =>
      (await call("GET", `/os-server-groups${query}`, { token })).body.server_groups.map(
        (g: { id: string }) => g.id,
      );
    expect(await ids("", ALICE)).toEqual([mine]);
    expect(await ids("?all_projects=1", ALICE)).toEqual([mine]);
    expect(await ids("?all_projects=1", ADMIN)).toEqual([mine, theirs]);
    expect(await ids("", ADMIN)).toEqual([]);
    // Another project's group: Nova checks the rule against the group's project.
    const shown = await call("GET", `/os-server-groups/${theirs}`);
    expect(shown.status).toBe(403);
    expect(shown.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-server-groups:show to be performed.",
    );
    expect((await call("DELETE", `/os-server-groups/${theirs}`)).status).toBe(403);
    expect((await call("GET", `/os-server-groups/${theirs}`, { token: ADMIN })).status).toBe(200);
  });

  it("pages with limit and offset (limit 0 is max_limit); 2.75 refuses unknown parameters", async () => {
    const ids: string[] = [];
    for (const name of ["a", "b", "c", "d"]) {
      ids.push((await create({ name, policies: ["affinity"] })).body.server_group.id);
    }
    const page = async (query: string, version = "2.1") => {
      const r = await call("GET", `/os-server-groups${query}`, { version });
      return r.status === 200 ? r.body.server_groups.map((g: { id: string }) => g.id) : r.status;
    };
    expect(await page("?limit=2")).toEqual(ids.slice(0, 2));
    expect(await page("?limit=2&offset=2")).toEqual(ids.slice(2));
    expect(await page("?offset=3")).toEqual(ids.slice(3));
    expect(await page("?limit=0")).toEqual(ids);
    expect(await page("?limit=-1")).toBe(400);
    expect(await page("?offset=x")).toBe(400);
    expect(await page("?sort=name", "2.74")).toEqual(ids);
    expect(await page("?sort=name", "2.75")).toBe(400);
  });
});
