import { FAKE_IMAGE_ID } from "@nova/api/test";
import { ComputeApiError, ServerWaitError } from "@nova/client";
import { FakeClock } from "@nova/core/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

const BOOT = { name: "web-1", flavorRef: "1", imageRef: FAKE_IMAGE_ID };
// noauth2 tokens; project ids are hex so they may also appear in URLs (Nova's {project_id:[0-9a-f-]+}).
const ALICE = "alice:a11ce";
const BOB = "bob:b0b";

async function apiError(promise: Promise<unknown>): Promise<ComputeApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ComputeApiError.isInstance(error)) throw new Error(`expected a ComputeApiError, got ${String(error)}`);
  return error;
}

describe("servers through the SDK", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(Date.parse("2026-11-27T08:00:00Z"));
    env = await startApi({ fake: { clock } });
  });
  afterEach(() => env.close());

  it("boots a server: 202 in BUILD, then ACTIVE with host, addresses and launched_at", async () => {
    const alice = env.client(ALICE);
    const created = await alice.createServer(BOOT);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.adminPass).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(created.security_groups).toEqual([{ name: "default" }]);
    expect(created.links[0]).toEqual({ rel: "self", href: `${env.endpoint}/servers/${created.id}` });
    expect(created.links[1]).toEqual({ rel: "bookmark", href: `${env.root}/servers/${created.id}` });

    const building = await alice.getServer(created.id);
    expect(building.status).toBe("BUILD");
    expect(building["OS-EXT-STS:vm_state"]).toBe("building");
    expect(building["OS-EXT-STS:task_state"]).toBe("scheduling");
    expect(building.addresses).toEqual({});
    expect(building.hostId).toBe("");
    expect(building.progress).toBe(0);

    clock.set(Date.parse("2026-11-27T08:00:05Z"));
    env.fake.settle();
    const active = await alice.getServer(created.id);
    expect(active.status).toBe("ACTIVE");
    expect(active["OS-EXT-STS:power_state"]).toBe(1);
    expect(active["OS-SRV-USG:launched_at"]).toBe("2026-11-27T08:00:05.000000");
    expect(active.created).toBe("2026-11-27T08:00:00Z");
    expect(active.updated).toBe("2026-11-27T08:00:05Z");
    expect(active.hostId).toMatch(/^[0-9a-f]{56}$/);
    expect(active.addresses.private?.[0]?.version).toBe(4);
    expect(active.tenant_id).toBe("a11ce");
    expect(active.user_id).toBe("alice");
    // Extended server attributes are admin-only.
    expect(active["OS-EXT-SRV-ATTR:host"]).toBeUndefined();
    const asAdmin = await env.client("admin:admin").getServer(created.id);
    expect(asAdmin["OS-EXT-SRV-ATTR:host"]).toBe("fake-host-1");
    expect(asAdmin["OS-EXT-SRV-ATTR:instance_name"]).toMatch(/^instance-[0-9a-f]{8}$/);
  });

  it("waitForServerStatus follows a build to ACTIVE and reports ERROR with the fault", async () => {
    await env.close();
    env = await startApi({ fake: { autoSettle: true } });
    const client = env.client(ALICE);
    const { id } = await client.createServer(BOOT);
    const server = await client.waitForServerStatus(id, "ACTIVE", { intervalMs: 1, timeoutMs: 10_000 });
    expect(server.status).toBe("ACTIVE");

    const failing = await client.createServer({ ...BOOT, name: "doomed" });
    env.fake.failBuild(failing.id, "No valid host was found. There are not enough hosts available.");
    const error = await client
      .waitForServerStatus(failing.id, "ACTIVE", { intervalMs: 1, timeoutMs: 10_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerWaitError);
    expect((error as ServerWaitError).code).toBe("SERVER_WAIT_ERROR_STATUS");
    expect((error as ServerWaitError).message).toContain("No valid host was found");
    const shown = await client.getServer(failing.id);
    expect(shown.status).toBe("ERROR");
    // A 500 fault's details (a traceback) are for admins only.
    expect(shown.fault).toMatchObject({ code: 500, message: expect.stringContaining("No valid host") });
    expect(shown.fault?.details).toBeUndefined();
    expect((await env.client().getServer(failing.id)).fault?.details).toBe("Traceback: (simulated)");
  });

  it("runs the actions through their states and answers Nova's 409 in the wrong state", async () => {
    const alice = env.client(ALICE);
    const { id } = await alice.createServer(BOOT);

    // Still building: no host yet (stop needs one) and never launched.
    expect((await apiError(alice.stopServer(id))).message).toBe(`Instance ${id} is not ready`);
    const early = await apiError(alice.pauseServer(id));
    expect(early.status).toBe(409);
    expect(early.faultName).toBe("conflictingRequest");
    expect(early.message).toBe(`Cannot 'pause' instance ${id} while it is in vm_state building`);
    env.fake.settle();

    await alice.rebootServer(id, "SOFT");
    expect((await alice.getServer(id)).status).toBe("REBOOT");
    // A soft reboot needs no task running; Nova names the task state.
    expect((await apiError(alice.rebootServer(id, "SOFT"))).message).toBe(
      `Cannot 'reboot' instance ${id} while it is in task_state rebooting`,
    );
    // ... but a hard reboot may take over a soft one.
    await alice.rebootServer(id, "HARD");
    expect((await alice.getServer(id)).status).toBe("HARD_REBOOT");
    env.fake.settle();
    expect((await alice.getServer(id)).status).toBe("ACTIVE");

    await alice.stopServer(id);
    expect((await alice.getServer(id))["OS-EXT-STS:task_state"]).toBe("powering-off");
    env.fake.settle();
    const stopped = await alice.getServer(id);
    expect(stopped.status).toBe("SHUTOFF");
    expect(stopped["OS-EXT-STS:power_state"]).toBe(4);
    const pauseStopped = await apiError(alice.pauseServer(id));
    expect(pauseStopped.message).toBe(`Cannot 'pause' instance ${id} while it is in vm_state stopped`);
    expect((await apiError(alice.stopServer(id))).message).toBe(
      `Cannot 'stop' instance ${id} while it is in vm_state stopped`,
    );
    expect((await apiError(alice.rebootServer(id, "SOFT"))).message).toBe(
      `Cannot 'reboot' instance ${id} while it is in vm_state stopped`,
    );

    await alice.startServer(id);
    env.fake.settle();
    expect((await alice.getServer(id)).status).toBe("ACTIVE");
    expect((await apiError(alice.startServer(id))).message).toBe(
      `Cannot 'start' instance ${id} while it is in vm_state active`,
    );

    await alice.pauseServer(id);
    env.fake.settle();
    expect((await alice.getServer(id)).status).toBe("PAUSED");
    expect((await apiError(alice.unpauseServer(id).then(() => alice.unpauseServer(id)))).message).toBe(
      `Cannot 'unpause' instance ${id} while it is in task_state unpausing`,
    );
    env.fake.settle();
    expect((await alice.getServer(id)).status).toBe("ACTIVE");
  });

  it("serves console output as Nova: tailed, control characters stripped, 409 without a host, 404 without a console", async () => {
    const alice = env.client(ALICE);
    const { id } = await alice.createServer(BOOT);
    const early = await apiError(alice.getConsoleOutput(id));
    expect([early.status, early.faultName, early.message]).toEqual([
      409,
      "conflictingRequest",
      `Instance ${id} is not ready`,
    ]);
    env.fake.settle();
    env.fake.setConsoleOutput(id, "boot\r\n\x1b[0mlogin:\tok\nline b\nline c");
    expect(await alice.getConsoleOutput(id)).toBe("boot\n[0mlogin:\tok\nline b\nline c");
    expect(await alice.getConsoleOutput(id, 2)).toBe("line b\nline c");
    expect(await alice.getConsoleOutput(id, 0)).toBe("");
    // -1 and null mean the whole log; a string of digits is a length too.
    const post = (body: unknown) =>
      env.fetch(`/v2.1/servers/${id}/action`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "X-Auth-Token": ALICE, "Content-Type": "application/json" },
      });
    for (const length of [-1, null, "1"]) {
      const reply = await post({ "os-getConsoleOutput": { length } });
      expect(reply.status).toBe(200);
      expect(((await reply.json()) as { output: string }).output).toBe(
        length === "1" ? "line c" : "boot\n[0mlogin:\tok\nline b\nline c",
      );
    }
    for (const [length, message] of [
      [-2, "Invalid input for field/attribute length. Value: -2. -2 is less than the minimum of -1"],
      ["x", "Invalid input for field/attribute length. Value: x. 'x' does not match '^-?[0-9]+$'"],
      [
        1.5,
        "Invalid input for field/attribute length. Value: 1.5. 1.5 is not of type 'integer', 'string', 'null'",
      ],
    ] as const) {
      const reply = await post({ "os-getConsoleOutput": { length } });
      expect(reply.status).toBe(400);
      expect(await reply.json()).toEqual({ badRequest: { code: 400, message } });
    }
    // Another project's server is not found; a guest without a console is 404 with Nova's message.
    expect((await apiError(env.client(BOB).getConsoleOutput(id))).status).toBe(404);
    env.fake.setConsoleOutput(id, null);
    const none = await apiError(alice.getConsoleOutput(id));
    expect([none.status, none.message]).toEqual([404, "Guest does not have a console available."]);
    expect((await apiError(alice.getConsoleOutput(crypto.randomUUID()))).status).toBe(404);
  });

  it("refuses actions on a locked server for members and lets admins through", async () => {
    const alice = env.client(ALICE);
    const { id } = await alice.createServer(BOOT);
    env.fake.settle();
    env.fake.setServer(id, { locked: true });
    const locked = await apiError(alice.stopServer(id));
    expect(locked.status).toBe(409);
    expect(locked.message).toBe(`Instance ${id} is locked`);
    expect((await apiError(alice.deleteServer(id))).message).toBe(`Instance ${id} is locked`);
    await env.client().stopServer(id);
    expect((await alice.getServer(id))["OS-EXT-STS:task_state"]).toBe("powering-off");
  });

  it("filters by locked from 2.73, reading the value strictly as Nova's is_locked does", async () => {
    const alice = env.client(ALICE, "2.73");
    const open = await alice.createServer({ ...BOOT, name: "open", networks: "none" });
    const shut = await alice.createServer({ ...BOOT, name: "shut", networks: "none" });
    env.fake.settle();
    env.fake.setServer(shut.id, { locked: true });
    const ids = async (query: string) =>
      ((await alice.request("GET", `/servers?${query}`)).body as { servers: { id: string }[] }).servers.map(
        (s) => s.id,
      );
    expect(await ids("locked=T")).toEqual([shut.id]);
    expect(await ids("locked=no")).toEqual([open.id]);
    const refused = await apiError(alice.request("GET", "/servers?locked=maybe"));
    expect([refused.status, refused.message]).toEqual([
      400,
      "Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
    ]);
  });

  it("deletes during a build and after; the server then is 404", async () => {
    const alice = env.client(ALICE);
    const building = await alice.createServer(BOOT);
    await alice.deleteServer(building.id);
    const gone = await apiError(alice.getServer(building.id));
    expect(gone.status).toBe(404);
    expect(gone.faultName).toBe("itemNotFound");
    expect(gone.message).toBe(`Instance ${building.id} could not be found.`);

    const active = await alice.createServer({ ...BOOT, name: "web-2" });
    env.fake.settle();
    await alice.deleteServer(active.id);
    expect((await alice.getServer(active.id))["OS-EXT-STS:task_state"]).toBe("deleting");
    env.fake.settle();
    await alice.waitForServerDeleted(active.id, { intervalMs: 1 });
    // Deleted servers show up again with changes-since (admins see them as DELETED).
    const changed = await env
      .client()
      .listServersDetail({ "changes-since": "2026-11-27T00:00:00Z", all_tenants: true });
    expect(changed.servers.map((s) => [s.id, s.status]).sort()).toEqual(
      [
        [building.id, "DELETED"],
        [active.id, "DELETED"],
      ].sort(),
    );
  });

  it("keeps projects apart: members see and touch only their own servers", async () => {
    const alice = env.client(ALICE);
    const bob = env.client(BOB);
    const mine = await alice.createServer(BOOT);
    const theirs = await bob.createServer({ ...BOOT, name: "bob-1" });
    env.fake.settle();
    expect((await alice.listServers()).servers.map((s) => s.id)).toEqual([mine.id]);
    expect((await bob.listServersDetail()).servers.map((s) => s.id)).toEqual([theirs.id]);
    for (const attempt of [
      bob.getServer(mine.id),
      bob.deleteServer(mine.id),
      bob.pauseServer(mine.id),
      bob.rebootServer(mine.id),
    ]) {
      const error = await apiError(attempt);
      expect(error.status).toBe(404);
      expect(error.message).toBe(`Instance ${mine.id} could not be found.`);
    }
    expect((await alice.getServer(mine.id)).status).toBe("ACTIVE");
    const denied = await apiError(bob.listServers({ all_tenants: true }));
    expect(denied.status).toBe(403);
    expect(denied.message).toBe(
      "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.",
    );
    const admin = env.client();
    expect((await admin.listServers()).servers).toEqual([]);
    expect((await admin.listServers({ all_tenants: true })).servers.map((s) => s.id).sort()).toEqual(
      [mine.id, theirs.id].sort(),
    );
    const onlyBob = await admin.request("GET", "/servers?all_tenants=1&project_id=b0b");
    expect((onlyBob.body as { servers: { id: string }[] }).servers.map((s) => s.id)).toEqual([theirs.id]);
  });

  it("serves project-scoped URLs and refuses another project's id in the path", async () => {
    const response = await env.fetch("/v2.1/a11ce/servers", { headers: { "X-Auth-Token": ALICE } });
    expect(response.status).toBe(200);
    const { id } = await env.client(ALICE).createServer(BOOT);
    const listed = (await (
      await env.fetch("/v2.1/a11ce/servers", { headers: { "X-Auth-Token": ALICE } })
    ).json()) as { servers: { links: { href: string }[] }[] };
    expect(listed.servers[0]?.links[0]?.href).toBe(`${env.endpoint}/a11ce/servers/${id}`);
    const wrong = await env.fetch("/v2.1/b0b/servers", { headers: { "X-Auth-Token": ALICE } });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      badRequest: {
        code: 400,
        message: "Malformed request URL: URL's project_id 'b0b' doesn't match Context's project_id 'a11ce'",
      },
    });
  });

  it("pages with limit and marker and links to the next page", async () => {
    const alice = env.client(ALICE);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.set(Date.UTC(2026, 10, 27, 8, 0, i));
      ids.push((await alice.createServer({ ...BOOT, name: `s${i}` })).id);
    }
    // Newest first (created_at desc).
    const first = await alice.listServers({ limit: 2 });
    expect(first.servers.map((s) => s.name)).toEqual(["s4", "s3"]);
    expect(first.servers_links).toEqual([
      { rel: "next", href: `${env.endpoint}/servers?limit=2&marker=${ids[3]}` },
    ]);
    const second = await alice.listServers({ limit: 2, marker: ids[3] });
    expect(second.servers.map((s) => s.name)).toEqual(["s2", "s1"]);
    const last = await alice.listServers({ limit: 2, marker: ids[1] });
    expect(last.servers.map((s) => s.name)).toEqual(["s0"]);
    expect(last.servers_links).toBeUndefined();
    const detail = await alice.listServersDetail({ limit: 1, sort_key: "display_name", sort_dir: "asc" });
    expect(detail.servers.map((s) => s.name)).toEqual(["s0"]);
    expect(detail.servers_links?.[0]?.href).toBe(
      `${env.endpoint}/servers/detail?limit=1&marker=${ids[0]}&sort_dir=asc&sort_key=display_name`,
    );
    const badMarker = await apiError(alice.listServers({ marker: "nope" }));
    expect(badMarker.message).toBe("marker [nope] not found");
  });

  it("pages at max_limit when no limit is given", async () => {
    await env.close();
    env = await startApi({ config: { max_limit: 2 } });
    const alice = env.client(ALICE);
    for (let i = 0; i < 3; i++) await alice.createServer({ ...BOOT, name: `s${i}` });
    const page = await alice.listServers();
    expect(page.servers).toHaveLength(2);
    expect(page.servers_links?.[0]?.rel).toBe("next");
    expect((await alice.listServers({ limit: 50 })).servers).toHaveLength(2);
  });

  it("filters by name, status, flavor, image and changes-since", async () => {
    const alice = env.client(ALICE);
    const web = await alice.createServer({ ...BOOT, name: "web-a" });
    const db = await alice.createServer({ ...BOOT, name: "db-a", flavorRef: "2" });
    env.fake.settle();
    clock.set(Date.parse("2026-11-27T09:00:00Z"));
    await alice.stopServer(db.id);
    env.fake.settle();
    const names = async (query: Parameters<typeof alice.listServers>[0]) =>
      (await alice.listServers(query)).servers.map((s) => s.name).sort();
    expect(await names({ name: "^web" })).toEqual(["web-a"]);
    expect(await names({ name: "-a$" })).toEqual(["db-a", "web-a"]);
    expect(await names({ status: "SHUTOFF" })).toEqual(["db-a"]);
    expect(await names({ status: ["ACTIVE", "SHUTOFF"] })).toEqual(["db-a", "web-a"]);
    expect(await names({ status: "PAUSED" })).toEqual([]);
    expect(await names({ flavor: "2" })).toEqual(["db-a"]);
    expect(await names({ flavor: "42" })).toEqual([]);
    expect(await names({ image: FAKE_IMAGE_ID })).toEqual(["db-a", "web-a"]);
    expect(await names({ "changes-since": "2026-11-27T08:30:00Z" })).toEqual(["db-a"]);
    // Before 2.38 an unknown status matches nothing; from 2.38 it is a 400.
    expect((await alice.request("GET", "/servers?status=NOPE")).body).toEqual({ servers: [] });
    const strict = await apiError(
      alice.with({ microversion: "2.38" }).listServers({ status: "NOPE" as "ACTIVE" }),
    );
    expect(strict.message).toBe("Invalid status value");
    // Filters members may not use are dropped, as Nova's remove_invalid_options does.
    expect((await alice.request("GET", "/servers?host=fake-host-1&vm_state=stopped")).body).toMatchObject({
      servers: expect.arrayContaining([expect.objectContaining({ id: web.id })]),
    });
  });

  it("shows microversion-dependent fields", async () => {
    const alice = env.client(ALICE);
    const { id } = await alice.with({ microversion: "2.52" }).createServer({
      ...BOOT,
      description: "front end",
      tags: ["web"],
      networks: "auto",
    });
    env.fake.settle();
    const old = await alice.getServer(id);
    expect(old.flavor).toEqual({ id: "1", links: [{ rel: "bookmark", href: `${env.root}/flavors/1` }] });
    expect(old.locked).toBeUndefined();
    expect(old.description).toBeUndefined();
    const latest = await alice.with({ microversion: "latest" }).getServer(id);
    expect(latest.flavor).toEqual({
      vcpus: 1,
      ram: 512,
      disk: 1,
      ephemeral: 0,
      swap: 0,
      original_name: "m1.tiny",
      extra_specs: {},
    });
    expect(latest.locked).toBe(false);
    expect(latest.description).toBe("front end");
    expect(latest.tags).toEqual(["web"]);
    expect(latest.server_groups).toEqual([]);
    // Before 2.19 the description is not accepted at all...
    const early = await apiError(alice.createServer({ ...BOOT, description: "x" }));
    expect(early.message).toMatch(/Additional properties are not allowed \('description' was unexpected\)$/);
    // ... and from 2.37 networks are required.
    const noNetworks = await apiError(alice.with({ microversion: "2.37" }).createServer(BOOT));
    expect(noNetworks.message).toMatch(/'networks' is a required property$/);
  });

  it("maps backend refusals of a boot to Nova's answers", async () => {
    const alice = env.client(ALICE);
    const noFlavor = await apiError(alice.createServer({ ...BOOT, flavorRef: "http://x/flavors/99" }));
    expect([noFlavor.status, noFlavor.message]).toEqual([400, "Flavor 99 could not be found."]);
    const noImage = await apiError(
      alice.createServer({ ...BOOT, imageRef: "11111111-2222-3333-4444-555555555555" }),
    );
    expect([noImage.status, noImage.message]).toEqual([400, "Can not find requested image"]);
    const counts = await apiError(alice.createServer({ ...BOOT, min_count: 3, max_count: 2 }));
    expect(counts.message).toBe("min_count must be <= max_count");
    const reserved = await alice.request("POST", "/servers", {
      body: { server: { ...BOOT, max_count: 3, return_reservation_id: true } },
    });
    expect(reserved.body).toEqual({ reservation_id: expect.stringMatching(/^r-/) });
    // Nova tests return_reservation_id for Python truth: the string "false" is true, only JSON false is not.
    const falseWord = await alice.request("POST", "/servers", {
      body: { server: { ...BOOT, name: "word", return_reservation_id: "false" } },
    });
    expect(falseWord.body).toEqual({ reservation_id: expect.stringMatching(/^r-/) });
    const jsonFalse = await alice.request("POST", "/servers", {
      body: { server: { ...BOOT, name: "json", return_reservation_id: false } },
    });
    expect(jsonFalse.body).toMatchObject({ server: { id: expect.any(String) } });
    expect((await alice.listServers()).servers.map((s) => s.name).sort()).toEqual([
      "json",
      "web-1-1",
      "web-1-2",
      "web-1-3",
      "word",
    ]);
  });

  it("reads config_drive with oslo's bool_from_string, as Nova's compute API does", async () => {
    const alice = env.client(ALICE, "2.1");
    const yes = await alice.createServer({ ...BOOT, name: "cd-yes", config_drive: "Yes" });
    const no = await alice.createServer({ ...BOOT, name: "cd-no", config_drive: "off" });
    expect((await alice.getServer(yes.id)).config_drive).toBe("True");
    expect((await alice.getServer(no.id)).config_drive).toBe("");
  });
});
