import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const ALICE = "alice:a11ce";
const ADMIN = "admin:admin";

// Nova's server list filters beyond name and status: regex columns, exact uuid / vm_state / task_state,
// changes-since / changes-before (2.66), and what members may use (the rest is dropped silently).
describe("server list filters", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(Date.parse("2026-11-27T08:00:00Z"));
    env = await startApi({ fake: { clock } });
  });
  afterEach(() => env.close());

  async function boot(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await env.fetch("/v2.1/servers", {
      method: "POST",
      headers: {
        "X-Auth-Token": ALICE,
        "Content-Type": "application/json",
        "OpenStack-API-Version": "compute 2.19",
      },
      body: JSON.stringify({ server: { name, flavorRef: "1", imageRef: FAKE_IMAGE_ID, ...extra } }),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { server: { id: string } }).server.id;
    env.fake.settle();
    return id;
  }

  async function ids(query: string, token = ADMIN, version = "2.66"): Promise<string[] | number> {
    const res = await env.fetch(`/v2.1/servers?${query}`, {
      headers: { "X-Auth-Token": token, "OpenStack-API-Version": `compute ${version}` },
    });
    if (res.status !== 200) return res.status;
    const body = (await res.json()) as { servers: { id: string }[] };
    return body.servers.map((s) => s.id).sort();
  }

  it("applies regex and exact filters for admins, and drops admin-only ones for members", async () => {
    const web = await boot("web", { description: "front end", accessIPv4: "10.1.0.5" });
    const db = await boot("db", { description: "back end", accessIPv4: "10.2.0.5" });
    env.fake.setServer(db, { vmState: "stopped", node: "node-7", taskState: "powering-on" });
    const scope = "all_tenants=1&";
    expect(await ids(`${scope}description=^front`)).toEqual([web]);
    expect(await ids(`${scope}access_ip_v4=10%5C.2`)).toEqual([db]);
    expect(await ids(`${scope}node=7$`)).toEqual([db]);
    expect(await ids(`${scope}uuid=${web}`)).toEqual([web]);
    expect(await ids(`${scope}vm_state=stopped`)).toEqual([db]);
    expect(await ids(`${scope}task_state=powering-on`)).toEqual([db]);
    // A member's node and description filters are removed: both servers come back.
    expect(await ids("node=7$&description=^front", ALICE)).toEqual([web, db].sort());
    // From 2.83 members may filter on vm_state (and more).
    expect(await ids("vm_state=stopped", ALICE, "2.82")).toEqual([web, db].sort());
    expect(await ids("vm_state=stopped", ALICE, "2.83")).toEqual([db]);
  });

  it("lists changes since and before (2.66), deleted servers included, and checks the order", async () => {
    const early = await boot("early");
    clock.set(Date.parse("2026-11-27T09:00:00Z"));
    const late = await boot("late");
    clock.set(Date.parse("2026-11-27T10:00:00Z"));
    const since = "changes-since=2026-11-27T08:30:00Z";
    const before = "changes-before=2026-11-27T08:30:00Z";
    expect(await ids(since, ALICE)).toEqual([late]);
    expect(await ids(before, ALICE)).toEqual([early]);
    expect(await ids(`${since}&changes-before=2026-11-27T09:30:00Z`, ALICE)).toEqual([late]);
    // changes-before earlier than changes-since, or not a time: 400.
    expect(await ids(`${since}&changes-before=2026-11-27T08:29:59Z`, ALICE)).toBe(400);
    // Equal bounds are allowed.
    expect(await ids(`${since}&${before}`, ALICE)).toEqual([]);
    expect(await ids("changes-before=yesterday", ALICE)).toBe(400);
    // Before 2.66 changes-before is not a filter a member may use: dropped.
    expect(await ids(before, ALICE, "2.65")).toEqual([early, late].sort());
    // A server deleted after the time is listed by changes-since, though not by a plain list.
    clock.set(Date.parse("2026-11-27T11:00:00Z"));
    const del = await env.fetch(`/v2.1/servers/${late}`, {
      method: "DELETE",
      headers: { "X-Auth-Token": ALICE },
    });
    expect(del.status).toBe(204);
    env.fake.settle();
    expect(await ids("", ALICE)).toEqual([early]);
    expect(await ids("changes-since=2026-11-27T10:30:00Z", ALICE)).toEqual([late]);
  });
});
