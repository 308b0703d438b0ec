import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// os-simple-tenant-usage as Nova 26 answers it (nova/api/openstack/compute/simple_tenant_usage.py): hours
// of each server within the window times its flavor's sizes, per project; 2.40 pages by server.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
let env: Awaited<ReturnType<typeof startApi>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const USAGES = "tenant_usages_client.TenantUsagesClient";
const WINDOW = "start=2026-11-27T11:00:00&end=2026-11-27T16:00:00";

async function get(
  path: string,
  version = "2.1",
  token = "admin:admin",
): Promise<{ status: number; body: Json }> {
  const response = await env!.fetch(`/v2.1${path}`, {
    headers: { "X-Auth-Token": token, "OpenStack-API-Version": `compute ${version}` },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

/** alice's two m1.tiny servers (one deleted at 14:00) and carol's one, all launched at 12:00. */
async function start() {
  const clock = new FakeClock(Date.UTC(2026, 10, 27, 12, 0, 0));
  env = await startApi({ fake: { clock } });
  const boot = async (token: string, name: string) => {
    const response = await env!.fetch("/v2.1/servers", {
      method: "POST",
      headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
      body: JSON.stringify({ server: { name, flavorRef: "1", imageRef: FAKE_IMAGE_ID } }),
    });
    return ((await response.json()) as Json).server.id as string;
  };
  const a = await boot("alice:a11ce", "a");
  const b = await boot("alice:a11ce", "b");
  const c = await boot("carol:ca401", "c");
  env.fake.settle();
  env.fake.setServer(b, { terminatedAt: new Date(Date.UTC(2026, 10, 27, 14, 0, 0)), deleted: true });
  return { a, b, c };
}

describe("os-simple-tenant-usage", () => {
  it("sums each project's hours in the window, with server usages when detailed", async () => {
    const { a, b } = await start();
    const list = await get(`/os-simple-tenant-usage?${WINDOW}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      tenant_usages: [
        {
          tenant_id: "a11ce",
          total_hours: 6,
          total_vcpus_usage: 6,
          total_memory_mb_usage: 3072,
          total_local_gb_usage: 6,
          start: "2026-11-27T11:00:00.000000",
          stop: "2026-11-27T16:00:00.000000",
        },
        expect.objectContaining({ tenant_id: "ca401", total_hours: 4 }),
      ],
    });
    const detailed = await get(`/os-simple-tenant-usage?${WINDOW}&detailed=1`);
    const usages = detailed.body.tenant_usages[0].server_usages;
    expect(usages).toHaveLength(2);
    const byId = Object.fromEntries(usages.map((u: Json) => [u.instance_id, u]));
    expect(byId[a]).toMatchObject({
      hours: 4,
      flavor: "m1.tiny",
      name: "a",
      tenant_id: "a11ce",
      memory_mb: 512,
      local_gb: 1,
      vcpus: 1,
      started_at: "2026-11-27T12:00:00.000000",
      ended_at: null,
      state: "active",
    });
    expect(byId[b]).toMatchObject({
      hours: 2,
      ended_at: "2026-11-27T14:00:00.000000",
      state: "terminated",
      uptime: 7200,
    });
    const show = await get(`/os-simple-tenant-usage/a11ce?${WINDOW}`, "2.1", "alice:a11ce");
    expect(show.body.tenant_usage).toMatchObject({ tenant_id: "a11ce", total_hours: 6 });
    expect(show.body.tenant_usage.server_usages).toHaveLength(2);
    expect(
      tempestViolations([
        { client: USAGES, schema: "list_tenant_usage", version: "2.1", ...list },
        { client: USAGES, schema: "list_tenant_usage", version: "2.1", ...detailed },
        { client: USAGES, schema: "get_tenant_usage", version: "2.1", ...show },
      ]),
    ).toEqual([]);
  });

  it("lists for admins only; shows a project to its members", async () => {
    await start();
    const list = await get(`/os-simple-tenant-usage?${WINDOW}`, "2.1", "alice:a11ce");
    expect(list.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.",
    );
    const other = await get(`/os-simple-tenant-usage/ca401?${WINDOW}`, "2.1", "alice:a11ce");
    expect(other.status).toBe(403);
    // A project without servers in the window: an empty usage, as Nova.
    expect((await get(`/os-simple-tenant-usage/ba5e?${WINDOW}`)).body).toEqual({ tenant_usage: {} });
  });

  it("pages by server from 2.40 with next links, not before", async () => {
    await start();
    const old = await get(`/os-simple-tenant-usage?${WINDOW}&limit=1`, "2.39");
    expect(old.body.tenant_usages).toHaveLength(2);
    expect(old.body.tenant_usages_links).toBeUndefined();
    const first = await get(`/os-simple-tenant-usage?${WINDOW}&limit=2&detailed=1`, "2.40");
    expect(first.body.tenant_usages.map((u: Json) => u.tenant_id)).toEqual(["a11ce"]);
    const next = first.body.tenant_usages_links[0];
    expect(next.rel).toBe("next");
    const marker = new URL(next.href).searchParams.get("marker");
    expect(marker).toBe(first.body.tenant_usages[0].server_usages[1].instance_id);
    const second = await get(`/os-simple-tenant-usage?${WINDOW}&limit=2&detailed=1&marker=${marker}`, "2.40");
    expect(second.body.tenant_usages.map((u: Json) => u.tenant_id)).toEqual(["ca401"]);
    expect(second.body.tenant_usages_links).toBeUndefined();
    const showPaged = await get(`/os-simple-tenant-usage/a11ce?${WINDOW}&limit=1`, "2.40");
    expect(showPaged.body.tenant_usage.server_usages).toHaveLength(1);
    expect(showPaged.body.tenant_usage_links[0].href).toContain("/os-simple-tenant-usage/a11ce?");
    const bad = await get(`/os-simple-tenant-usage?${WINDOW}&marker=nope`, "2.40");
    expect(bad.status).toBe(400);
    expect(
      tempestViolations([
        { client: USAGES, schema: "list_tenant_usage", version: "2.40", ...first },
        { client: USAGES, schema: "get_tenant_usage", version: "2.40", ...showPaged },
      ]),
    ).toEqual([]);
  });

  it("refuses a window that ends before it starts, and dates in other formats", async () => {
    await start();
    const reversed = await get("/os-simple-tenant-usage?start=2026-11-27T16:00:00&end=2026-11-27T11:00:00");
    expect(reversed).toEqual({
      status: 400,
      body: {
        badRequest: {
          code: 400,
          message: "Invalid start time. The start time cannot occur after the end time.",
        },
      },
    });
    const bad = await get("/os-simple-tenant-usage?start=yesterday");
    expect(bad.body.badRequest.message).toBe("Invalid datetime string: Datetime is in invalid format");
    expect(
      (await get("/os-simple-tenant-usage?start=2026-11-27 11:00:00.5&end=2026-11-27T16:00:00")).status,
    ).toBe(200);
    expect((await get(`/os-simple-tenant-usage?${WINDOW}&foo=1`, "2.75")).status).toBe(400);
  });
});
