import { FAKE_IMAGE_ID } from "@nova/api/test";
import { type TempestCase, tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
type Env = Awaited<ReturnType<typeof startApi>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const AGGREGATES = "aggregates_client.AggregatesClient";
const ZONES = "availability_zone_client.AvailabilityZoneClient";

async function call(method: string, path: string, version: string, body?: unknown, token = "admin:admin") {
  const response = await env!.fetch(`/v2.1${path}`, {
    method,
    headers: {
      "X-Auth-Token": token,
      "OpenStack-API-Version": `compute ${version}`,
      "Content-Type": "application/json",
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : null };
}

const action = (id: number, version: string, body: unknown) =>
  call("POST", `/os-aggregates/${id}/action`, version, body);

async function start() {
  env = await startApi({ fake: { hosts: ["cpu-1", "cpu-2", "cpu-3"] } });
  return env;
}

describe("os-aggregates", () => {
  it("creates, shows, lists, updates and deletes, with uuid from 2.41; every body valid for tempest", async () => {
    await start();
    const cases: TempestCase[] = [];
    for (const version of ["2.1", "2.41"]) {
      const created = await call("POST", "/os-aggregates", version, {
        aggregate: { name: `rack-${version}`, availability_zone: `az-${version}` },
      });
      expect(created.status).toBe(200);
      expect(created.body.aggregate).toMatchObject({
        name: `rack-${version}`,
        availability_zone: `az-${version}`,
        deleted: false,
        deleted_at: null,
        updated_at: null,
      });
      expect(created.body.aggregate).not.toHaveProperty("hosts");
      expect("uuid" in created.body.aggregate).toBe(version === "2.41");
      const id = created.body.aggregate.id as number;
      const added = await action(id, version, { add_host: { host: "cpu-1" } });
      expect(added.body.aggregate.hosts).toEqual(["cpu-1"]);
      const meta = await action(id, version, { set_metadata: { metadata: { ssd: "true", gone: null } } });
      expect(meta.body.aggregate.metadata).toEqual({ availability_zone: `az-${version}`, ssd: "true" });
      const shown = await call("GET", `/os-aggregates/${id}`, version);
      expect(shown.body.aggregate).toMatchObject({ id, hosts: ["cpu-1"] });
      const renamed = await call("PUT", `/os-aggregates/${id}`, version, { aggregate: { name: " new " } });
      expect(renamed.body.aggregate.name).toBe("new");
      expect(renamed.body.aggregate.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      const list = await call("GET", "/os-aggregates", version);
      expect(list.body.aggregates.map((a: Json) => a.id)).toContain(id);
      const removed = await action(id, version, { remove_host: { host: "cpu-1" } });
      expect(removed.body.aggregate.hosts).toEqual([]);
      const deleted = await call("DELETE", `/os-aggregates/${id}`, version);
      expect(deleted).toEqual({ status: 200, body: null });
      expect((await call("GET", `/os-aggregates/${id}`, version)).status).toBe(404);
      cases.push(
        { client: AGGREGATES, schema: "create_aggregate", version, ...created },
        { client: AGGREGATES, schema: "aggregate_add_remove_host", version, ...added },
        { client: AGGREGATES, schema: "aggregate_set_metadata", version, ...meta },
        { client: AGGREGATES, schema: "get_aggregate", version, ...shown },
        { client: AGGREGATES, schema: "update_aggregate", version, ...renamed },
        { client: AGGREGATES, schema: "list_aggregates", version, ...list },
        { client: AGGREGATES, schema: "aggregate_add_remove_host", version, ...removed },
        { client: AGGREGATES, schema: "delete_aggregate", version, ...deleted },
      );
    }
    expect(tempestViolations(cases)).toEqual([]);
  });

  it("is admin only", async () => {
    await start();
    const list = await call("GET", "/os-aggregates", "2.1", undefined, "carol:ca401");
    expect(list.status).toBe(403);
    expect(list.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-aggregates:index to be performed.",
    );
    const create = await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "x" } }, "carol:ca401");
    expect(create.status).toBe(403);
  });

  it("answers Nova's errors: 404, 409 names and hosts, 400 ids, bodies and non-empty deletes", async () => {
    await start();
    const a = (await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "a" } })).body.aggregate;
    const dup = await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "a" } });
    expect(dup).toEqual({
      status: 409,
      body: { conflictingRequest: { code: 409, message: "Aggregate a already exists." } },
    });
    expect((await call("GET", "/os-aggregates/abc", "2.1")).body.badRequest.message).toBe(
      "Invalid input received: id must be an integer",
    );
    expect((await call("GET", "/os-aggregates/999", "2.1")).body.itemNotFound.message).toBe(
      "Aggregate 999 could not be found.",
    );
    const bad = await call("POST", "/os-aggregates", "2.1", {
      aggregate: { name: "b", availability_zone: "x:y" },
    });
    expect(bad.status).toBe(400);
    expect((await call("POST", "/os-aggregates", "2.1", { aggregate: {} })).status).toBe(400);
    expect((await call("PUT", `/os-aggregates/${a.id}`, "2.1", { aggregate: {} })).status).toBe(400);
    const nohost = await action(a.id, "2.1", { add_host: { host: "nowhere" } });
    expect(nohost.status).toBe(404);
    expect(nohost.body.itemNotFound.message).toBe("Compute host nowhere could not be found.");
    await action(a.id, "2.1", { add_host: { host: "cpu-1" } });
    const twice = await action(a.id, "2.1", { add_host: { host: "cpu-1" } });
    expect(twice.status).toBe(409);
    expect(twice.body.conflictingRequest.message).toBe(`Aggregate ${a.id} already has host cpu-1.`);
    const notIn = await action(a.id, "2.1", { remove_host: { host: "cpu-2" } });
    expect(notIn.status).toBe(404);
    expect(notIn.body.itemNotFound.message).toBe(`Cannot remove host cpu-2 in aggregate ${a.id}`);
    const nonEmpty = await call("DELETE", `/os-aggregates/${a.id}`, "2.1");
    expect(nonEmpty.status).toBe(400);
    expect(nonEmpty.body.badRequest.message).toBe(
      `Cannot remove host from aggregate ${a.id}. Reason: Host aggregate is not empty.`,
    );
    const renameTaken = await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "b" } });
    const clash = await call("PUT", `/os-aggregates/${renameTaken.body.aggregate.id}`, "2.1", {
      aggregate: { name: "a" },
    });
    expect(clash.status).toBe(409);
    expect((await call("POST", `/os-aggregates/${a.id}/action`, "2.1", { nope: {} })).status).toBe(400);
  });

  it("keeps a host in one zone, and a zone with servers from being renamed", async () => {
    const env = await start();
    const az1 = (
      await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "z1", availability_zone: "az1" } })
    ).body.aggregate;
    const az2 = (
      await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "z2", availability_zone: "az2" } })
    ).body.aggregate;
    const plain = (await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "plain" } })).body
      .aggregate;
    await action(az1.id, "2.1", { add_host: { host: "cpu-1" } });
    await action(plain.id, "2.1", { add_host: { host: "cpu-1" } });
    const conflict = await action(az2.id, "2.1", { add_host: { host: "cpu-1" } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.conflictingRequest.message).toBe(
      `Cannot add host to aggregate ${az2.id}. Reason: One or more hosts already in availability zone(s) ['az1'].`,
    );
    const zonePlain = await action(plain.id, "2.1", {
      set_metadata: { metadata: { availability_zone: "az2" } },
    });
    expect(zonePlain.status).toBe(400);
    expect(zonePlain.body.badRequest.message).toBe(
      `Cannot update metadata of aggregate ${plain.id}. Reason: One or more hosts already in availability zone(s) ['az1'].`,
    );
    const empty = await call("PUT", `/os-aggregates/${az1.id}`, "2.1", {
      aggregate: { availability_zone: null },
    });
    expect(empty.body.badRequest.message).toBe(
      `Cannot update aggregate ${az1.id}. Reason: Aggregate z1 does not support empty named availability zone.`,
    );
    // A server on cpu-1 pins the zone's name.
    const boot = await env.client().createServer({ name: "vm", imageRef: FAKE_IMAGE_ID, flavorRef: "1" });
    env.fake.settle(boot.id);
    const pinned = await call("PUT", `/os-aggregates/${az1.id}`, "2.1", {
      aggregate: { availability_zone: "az9" },
    });
    expect(pinned.status).toBe(400);
    expect(pinned.body.badRequest.message).toBe(
      `Cannot update aggregate ${az1.id}. Reason: One or more hosts contain instances in this zone.`,
    );
    const same = await call("PUT", `/os-aggregates/${az1.id}`, "2.1", {
      aggregate: { availability_zone: "az1" },
    });
    expect(same.status).toBe(200);
  });
});

describe("os-availability-zone", () => {
  it("lists zones from aggregates and the default zone; detail shows hosts and internal services", async () => {
    const env = await start();
    const z = (
      await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "z", availability_zone: "az1" } })
    ).body.aggregate;
    await action(z.id, "2.1", { add_host: { host: "cpu-1" } });
    env.fake.services.find((s) => s.host === "cpu-3")!.disabled = true;
    const dz = (
      await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "dz", availability_zone: "off" } })
    ).body.aggregate;
    await action(dz.id, "2.1", { add_host: { host: "cpu-3" } });
    const list = await call("GET", "/os-availability-zone", "2.1", undefined, "carol:ca401");
    expect(list.status).toBe(200);
    expect(list.body.availabilityZoneInfo).toEqual([
      { zoneName: "az1", zoneState: { available: true }, hosts: null },
      { zoneName: "nova", zoneState: { available: true }, hosts: null },
      { zoneName: "off", zoneState: { available: false }, hosts: null },
    ]);
    expect((await call("GET", "/os-availability-zone/detail", "2.1", undefined, "carol:ca401")).status).toBe(
      403,
    );
    const detail = await call("GET", "/os-availability-zone/detail", "2.1");
    const byName = Object.fromEntries(detail.body.availabilityZoneInfo.map((z: Json) => [z.zoneName, z]));
    expect(Object.keys(byName)).toEqual(["az1", "internal", "nova", "off"]);
    expect(Object.keys(byName.az1.hosts)).toEqual(["cpu-1"]);
    expect(byName.az1.hosts["cpu-1"]["nova-compute"]).toMatchObject({ available: true, active: true });
    expect(Object.keys(byName.internal.hosts.controller)).toEqual(["nova-scheduler", "nova-conductor"]);
    expect(Object.keys(byName.nova.hosts)).toEqual(["cpu-2"]);
    expect(byName.off.hosts).toBeNull();
    expect(
      tempestViolations([
        { client: ZONES, schema: "list_availability_zone_list", version: "2.1", ...list },
        { client: ZONES, schema: "list_availability_zone_list_detail", version: "2.1", ...detail },
      ]),
    ).toEqual([]);
  });

  it("boots only into a zone that exists, and shows the server in its host's zone", async () => {
    const env = await start();
    const z = (
      await call("POST", "/os-aggregates", "2.1", { aggregate: { name: "z", availability_zone: "az1" } })
    ).body.aggregate;
    await action(z.id, "2.1", { add_host: { host: "cpu-1" } });
    const body = (zone: string) => ({
      server: { name: "vm", imageRef: FAKE_IMAGE_ID, flavorRef: "1", availability_zone: zone },
    });
    const unknown = await call("POST", "/servers", "2.1", body("az-nope"));
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe("The requested availability zone is not available");
    const ok = await call("POST", "/servers", "2.1", body("az1"));
    expect(ok.status).toBe(202);
    env.fake.settle(ok.body.server.id);
    const shown = await call("GET", `/servers/${ok.body.server.id}`, "2.1");
    // The fake places on cpu-1 first: the zone of that host's aggregate.
    expect(shown.body.server["OS-EXT-AZ:availability_zone"]).toBe("az1");
  });
});
