import { FAKE_IMAGE_ID } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
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

const ADMIN = "admin:admin";
const ALICE = "alice:a11ce";
const BOB = "bob:b0b";
const SERVERS_CLIENT = "servers_client.ServersClient";

async function call(method: string, path: string, version: string, token = ADMIN, body?: unknown) {
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
  return {
    status: response.status,
    requestId: response.headers.get("x-openstack-request-id") ?? "",
    body: text ? (JSON.parse(text) as Json) : undefined,
  };
}

/** A server of Alice's, ACTIVE on fake-host-1, with its create action; returns its id and the boot's request id. */
async function activeServer(clock: FakeClock) {
  env = await startApi({ fake: { clock } });
  const boot = await call("POST", "/servers", "2.1", ALICE, {
    server: { name: "web", flavorRef: "1", imageRef: FAKE_IMAGE_ID },
  });
  expect(boot.status).toBe(202);
  const id = boot.body.server.id as string;
  env.fake.addActionEvent(id, boot.requestId, {
    event: "compute__do_build_and_run_instance",
    host: "fake-host-1",
    result: "Success",
    finishTime: new Date(clock.now()),
  });
  env.fake.settle();
  return { id, createRequest: boot.requestId };
}

function cases(schema: string, checks: { version: string; body: unknown }[]): TempestCase[] {
  return checks.map(({ version, body }) => ({ client: SERVERS_CLIENT, schema, version, status: 200, body }));
}

describe("os-instance-actions", () => {
  it("lists the server's actions newest first, with updated_at and paging from 2.58", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id, createRequest } = await activeServer(clock);
    clock.set(Date.parse("2026-12-01T10:01:00Z"));
    const stop = await call("POST", `/servers/${id}/action`, "2.1", ALICE, { "os-stop": null });
    expect(stop.status).toBe(202);
    env!.fake.settle();
    clock.set(Date.parse("2026-12-01T10:02:00Z"));
    const start = await call("POST", `/servers/${id}/action`, "2.1", ALICE, { "os-start": null });
    env!.fake.settle();

    const v21 = await call("GET", `/servers/${id}/os-instance-actions`, "2.1", ALICE);
    expect(v21.status).toBe(200);
    expect(v21.body.instanceActions.map((a: Json) => a.action)).toEqual(["start", "stop", "create"]);
    expect(v21.body.instanceActions[2]).toEqual({
      action: "create",
      instance_uuid: id,
      request_id: createRequest,
      user_id: "alice",
      project_id: "a11ce",
      start_time: "2026-12-01T10:00:00.000000",
      message: null,
    });
    expect(v21.body.links).toBeUndefined();

    const page = await call("GET", `/servers/${id}/os-instance-actions?limit=2`, "2.58", ALICE);
    expect(page.body.instanceActions.map((a: Json) => a.request_id)).toEqual([
      start.requestId,
      stop.requestId,
    ]);
    expect(page.body.instanceActions[0].updated_at).toBe("2026-12-01T10:02:00.000000");
    expect(page.body.links).toEqual([
      {
        rel: "next",
        href: `${env!.endpoint}/servers/${id}/os-instance-actions?limit=2&marker=${stop.requestId}`,
      },
    ]);
    const rest = await call(
      "GET",
      `/servers/${id}/os-instance-actions?limit=2&marker=${stop.requestId}`,
      "2.58",
      ALICE,
    );
    expect(rest.body.instanceActions.map((a: Json) => a.action)).toEqual(["create"]);
    expect(rest.body.links).toBeUndefined();

    const since = await call(
      "GET",
      `/servers/${id}/os-instance-actions?changes-since=2026-12-01T10:01:00Z`,
      "2.58",
      ALICE,
    );
    expect(since.body.instanceActions.map((a: Json) => a.action)).toEqual(["start", "stop"]);
    const before = await call(
      "GET",
      `/servers/${id}/os-instance-actions?changes-before=2026-12-01T10:01:00Z`,
      "2.66",
      ALICE,
    );
    expect(before.body.instanceActions.map((a: Json) => a.action)).toEqual(["stop", "create"]);

    // Tempest checks the list with its 2.1 schema only (servers_client.list_instance_actions has no
    // microversioned schema; that one refuses 2.58's updated_at and links).
    expect(tempestViolations(cases("list_instance_actions", [{ version: "2.1", body: v21.body }]))).toEqual(
      [],
    );
  });

  it("answers Nova's 400s for the 2.58 query and an unknown marker, and ignores the query before 2.58", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id } = await activeServer(clock);
    const bad: [string, string, string][] = [
      [
        "limit=-1",
        "2.58",
        "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
      ],
      [
        "changes-since=yesterday",
        "2.58",
        "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'",
      ],
      [
        "changes-before=2026-12-01T10:00:00Z",
        "2.58",
        "Additional properties are not allowed ('changes-before' was unexpected)",
      ],
      [
        "changes-since=2026-12-02T00:00:00Z&changes-before=2026-12-01T00:00:00Z",
        "2.66",
        "The value of changes-since must be less than or equal to changes-before.",
      ],
      ["marker=req-nope", "2.58", "Marker req-nope could not be found."],
    ];
    for (const [query, version, message] of bad) {
      const answer = await call("GET", `/servers/${id}/os-instance-actions?${query}`, version, ALICE);
      expect(answer.status, query).toBe(400);
      expect(answer.body.badRequest.message, query).toBe(message);
    }
    const old = await call("GET", `/servers/${id}/os-instance-actions?limit=-1&bogus=1`, "2.57", ALICE);
    expect(old.status).toBe(200);
    expect(old.body.instanceActions).toHaveLength(1);
  });

  it("shows events to admins with tracebacks, to the owner from 2.51 without, and host ids from 2.62", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id, createRequest } = await activeServer(clock);
    const path = `/servers/${id}/os-instance-actions/${createRequest}`;

    const owner21 = await call("GET", path, "2.1", ALICE);
    expect(owner21.status).toBe(200);
    expect(owner21.body.instanceAction.events).toBeUndefined();
    const owner251 = await call("GET", path, "2.51", ALICE);
    expect(owner251.body.instanceAction.events).toEqual([
      {
        event: "compute__do_build_and_run_instance",
        start_time: "2026-12-01T10:00:00.000000",
        finish_time: "2026-12-01T10:00:00.000000",
        result: "Success",
      },
    ]);
    const owner262 = await call("GET", path, "2.62", ALICE);
    const [ownerEvent] = owner262.body.instanceAction.events;
    expect(ownerEvent.hostId).toMatch(/^[0-9a-f]{56}$/);
    expect(ownerEvent.host).toBeUndefined();
    expect(ownerEvent.traceback).toBeUndefined();
    expect(owner262.body.instanceAction.updated_at).toBe("2026-12-01T10:00:00.000000");

    const admin21 = await call("GET", path, "2.1", ADMIN);
    expect(admin21.body.instanceAction.events[0].traceback).toBeNull();
    const admin262 = await call("GET", path, "2.62", ADMIN);
    expect(admin262.body.instanceAction.events[0]).toMatchObject({
      host: "fake-host-1",
      hostId: ownerEvent.hostId,
      traceback: null,
    });
    expect(admin262.body.instanceAction.events[0].details).toBeUndefined();
    const admin284 = await call("GET", path, "2.84", ADMIN);
    expect(admin284.body.instanceAction.events[0].details).toBeNull();

    const missing = await call("GET", `/servers/${id}/os-instance-actions/req-missing`, "2.1", ALICE);
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toBe("Action req-missing not found");

    expect(
      tempestViolations(
        cases("show_instance_action", [
          { version: "2.1", body: owner21.body },
          { version: "2.1", body: admin21.body },
          { version: "2.51", body: owner251.body },
          { version: "2.58", body: (await call("GET", path, "2.58", ALICE)).body },
          { version: "2.62", body: owner262.body },
          { version: "2.62", body: admin262.body },
        ]),
      ),
    ).toEqual([]);
  });

  it("hides other projects' servers and shows a deleted server's actions only from 2.21", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id } = await activeServer(clock);
    const other = await call("GET", `/servers/${id}/os-instance-actions`, "2.1", BOB);
    expect(other.status).toBe(404);
    expect(other.body.itemNotFound.message).toBe(`Instance ${id} could not be found.`);

    expect((await call("DELETE", `/servers/${id}`, "2.1", ALICE)).status).toBe(204);
    env!.fake.settle();
    const gone = await call("GET", `/servers/${id}/os-instance-actions`, "2.20", ALICE);
    expect(gone.status).toBe(404);
    const kept = await call("GET", `/servers/${id}/os-instance-actions`, "2.21", ALICE);
    expect(kept.status).toBe(200);
    expect(kept.body.instanceActions.map((a: Json) => a.action)).toEqual(["delete", "create"]);
  });
});

describe("suspend, resume and os-resetState", () => {
  it("suspends an ACTIVE server and resumes a SUSPENDED one, with Nova's 409s otherwise", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id } = await activeServer(clock);
    const action = (token: string, body: unknown) =>
      call("POST", `/servers/${id}/action`, "2.1", token, body);

    const early = await action(ALICE, { resume: null });
    expect(early.status).toBe(409);
    expect(early.body.conflictingRequest.message).toBe(
      `Cannot 'resume' instance ${id} while it is in vm_state active`,
    );
    expect((await action(ALICE, { suspend: null })).status).toBe(202);
    const suspending = await call("GET", `/servers/${id}`, "2.1", ALICE);
    expect(suspending.body.server["OS-EXT-STS:task_state"]).toBe("suspending");
    const again = await action(ALICE, { suspend: null });
    expect(again.status).toBe(409);
    expect(again.body.conflictingRequest.message).toBe(
      `Cannot 'suspend' instance ${id} while it is in task_state suspending`,
    );
    env!.fake.settle();
    const suspended = await call("GET", `/servers/${id}`, "2.1", ALICE);
    expect(suspended.body.server.status).toBe("SUSPENDED");
    expect((await action(ALICE, { suspend: null })).body.conflictingRequest.message).toBe(
      `Cannot 'suspend' instance ${id} while it is in vm_state suspended`,
    );
    expect((await action(BOB, { resume: null })).status).toBe(404);
    expect((await action(ALICE, { resume: null })).status).toBe(202);
    env!.fake.settle();
    expect((await call("GET", `/servers/${id}`, "2.1", ALICE)).body.server.status).toBe("ACTIVE");
    const actions = await call("GET", `/servers/${id}/os-instance-actions`, "2.1", ALICE);
    expect(actions.body.instanceActions.map((a: Json) => a.action)).toEqual(["resume", "suspend", "create"]);
  });

  it("resets the state for admins only, validating the body, and records a resetState action", async () => {
    const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
    const { id } = await activeServer(clock);
    env!.fake.setServer(id, { taskState: "rebooting" });
    const action = (token: string, body: unknown) =>
      call("POST", `/servers/${id}/action`, "2.1", token, body);

    const member = await action(ALICE, { "os-resetState": { state: "error" } });
    expect(member.status).toBe(403);
    expect(member.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.",
    );
    const invalid = await action(ADMIN, { "os-resetState": { state: "stopped" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.badRequest.message).toBe(
      "Invalid input for field/attribute state. Value: stopped. 'stopped' is not one of ['active', 'error']",
    );

    const gone = await action(ADMIN, { resetNetwork: null });
    expect(gone.status).toBe(410);
    expect(gone.body.computeFault.message).toBe(
      "This resource is no longer available. No forwarding address is given.",
    );
    expect((await action(ADMIN, { "os-resetState": { state: "error" } })).status).toBe(202);
    const errored = await call("GET", `/servers/${id}`, "2.1", ALICE);
    expect(errored.body.server.status).toBe("ERROR");
    expect(errored.body.server["OS-EXT-STS:task_state"]).toBeNull();
    expect((await action(ADMIN, { "os-resetState": { state: "active" } })).status).toBe(202);
    expect((await call("GET", `/servers/${id}`, "2.1", ALICE)).body.server.status).toBe("ACTIVE");
    const actions = await call("GET", `/servers/${id}/os-instance-actions`, "2.1", ALICE);
    expect(actions.body.instanceActions.map((a: Json) => a.action)).toEqual([
      "resetState",
      "resetState",
      "create",
    ]);
  });
});
