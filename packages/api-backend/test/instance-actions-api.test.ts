import { randomUUID } from "node:crypto";
import { tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestBackend, startTestApi } from "./test-databases.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

const SERVERS_CLIENT = "servers_client.ServersClient";

/** nova-api over DbComputeBackend over SQLite, with one ACTIVE server of project p1 and its recorded actions. */
async function harness() {
  const env = await openTestBackend();
  const { clock, apiDb, cellDb, cellUuid } = env;
  const uuid = randomUUID();
  await apiDb.mappings.createInstanceMapping({
    instance_uuid: uuid,
    project_id: "p1",
    user_id: "u1",
    cell_uuid: cellUuid,
  });
  await cellDb.instances.create({
    uuid,
    project_id: "p1",
    user_id: "u1",
    display_name: "web",
    host: "cpu-1",
    node: "cpu-1",
    vm_state: "active",
    power_state: 1,
    launched_at: new Date(clock.now()),
  });
  await cellDb.actions.start({
    instance_uuid: uuid,
    action: "create",
    request_id: "req-create",
    user_id: "u1",
    project_id: "p1",
  });
  await cellDb.actions.eventStart(uuid, "req-create", "compute__do_build_and_run_instance", "cpu-1");
  await clock.advance(2_000);
  await cellDb.actions.eventFinish(uuid, "req-create", "compute__do_build_and_run_instance", {
    result: "Success",
  });
  for (const [i, action] of ["stop", "start"].entries()) {
    await clock.advance(60_000);
    await cellDb.actions.start({
      instance_uuid: uuid,
      action,
      request_id: `req-${i}`,
      user_id: "u1",
      project_id: "p1",
    });
  }
  await cellDb.actions.eventStart(uuid, "req-0", "compute_stop_instance", "cpu-1");
  await cellDb.actions.eventFinish(uuid, "req-0", "compute_stop_instance", {
    result: "Error",
    traceback: "Traceback (most recent call last): ...",
    details: "guest refused",
  });
  const { request, close } = await startTestApi(env);
  const call = (method: string, path: string, version: string, token?: string, body?: unknown) =>
    request(method, path, { version, body, token });
  return {
    uuid,
    clock,
    apiDb,
    cellDb,
    call,
    close,
  };
}

describe("os-instance-actions and os-resetState over the cell database", () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("lists and pages the recorded actions by request id, and shows events newest first", async () => {
    const base = `/servers/${h.uuid}/os-instance-actions`;
    const all = await h.call("GET", base, "2.1", "u1:p1");
    expect(all.status).toBe(200);
    expect(all.body.instanceActions.map((a: Json) => a.request_id)).toEqual(["req-1", "req-0", "req-create"]);
    expect(all.body.instanceActions[2]).toEqual({
      action: "create",
      instance_uuid: h.uuid,
      request_id: "req-create",
      user_id: "u1",
      project_id: "p1",
      start_time: "2026-12-01T10:00:00.000000",
      message: null,
    });
    const page = await h.call("GET", `${base}?limit=1&marker=req-1`, "2.58", "u1:p1");
    expect(page.body.instanceActions.map((a: Json) => a.request_id)).toEqual(["req-0"]);
    expect(page.body.links[0].href).toContain("marker=req-0");
    expect((await h.call("GET", `${base}?marker=req-x`, "2.58")).status).toBe(400);
    const since = await h.call("GET", `${base}?changes-since=2026-12-01T10:02:00Z`, "2.58");
    expect(since.body.instanceActions.map((a: Json) => a.request_id)).toEqual(["req-1", "req-0"]);

    const stop = await h.call("GET", `${base}/req-0`, "2.84");
    expect(stop.body.instanceAction).toMatchObject({ action: "stop", message: "Error" });
    expect(stop.body.instanceAction.events).toEqual([
      {
        event: "compute_stop_instance",
        start_time: "2026-12-01T10:02:02.000000",
        finish_time: "2026-12-01T10:02:02.000000",
        result: "Error",
        traceback: "Traceback (most recent call last): ...",
        host: "cpu-1",
        hostId: expect.stringMatching(/^[0-9a-f]{56}$/),
        details: "guest refused",
      },
    ]);
    const owner = await h.call("GET", `${base}/req-create`, "2.62", "u1:p1");
    expect(owner.body.instanceAction.events[0]).toEqual({
      event: "compute__do_build_and_run_instance",
      start_time: "2026-12-01T10:00:00.000000",
      finish_time: "2026-12-01T10:00:02.000000",
      result: "Success",
      hostId: stop.body.instanceAction.events[0].hostId,
    });
    expect(
      tempestViolations([
        {
          client: SERVERS_CLIENT,
          schema: "list_instance_actions",
          version: "2.1",
          status: 200,
          body: all.body,
        },
        {
          client: SERVERS_CLIENT,
          schema: "show_instance_action",
          version: "2.62",
          status: 200,
          body: owner.body,
        },
        {
          client: SERVERS_CLIENT,
          schema: "show_instance_action",
          version: "2.1",
          status: 200,
          body: (await h.call("GET", `${base}/req-0`, "2.1")).body,
        },
      ]),
    ).toEqual([]);
  });

  it("keeps a deleted server's actions visible from 2.21", async () => {
    await h.cellDb.instances.destroy(h.uuid, {}, { terminate: true });
    expect((await h.call("GET", `/servers/${h.uuid}/os-instance-actions`, "2.20", "u1:p1")).status).toBe(404);
    const kept = await h.call("GET", `/servers/${h.uuid}/os-instance-actions`, "2.21", "u1:p1");
    expect(kept.status).toBe(200);
    expect(kept.body.instanceActions).toHaveLength(3);
    expect((await h.call("GET", `/servers/${h.uuid}/os-instance-actions`, "2.21", "u2:p2")).status).toBe(404);
  });

  it("resets vm_state with no task and records a finished resetState action", async () => {
    await h.cellDb.instances.update(h.uuid, { task_state: "rebooting" });
    await h.clock.advance(1_000);
    const reset = await h.call("POST", `/servers/${h.uuid}/action`, "2.1", "admin:admin", {
      "os-resetState": { state: "error" },
    });
    expect(reset.status).toBe(202);
    const row = await h.cellDb.instances.get(h.uuid);
    expect(row).toMatchObject({ vm_state: "error", task_state: null });
    const actions = await h.cellDb.actions.list(h.uuid);
    expect(actions[0]).toMatchObject({ action: "resetState", project_id: "admin" });
    expect(actions[0]!.finish_time).toEqual(new Date(h.clock.now()));
  });
});
