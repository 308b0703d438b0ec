import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellDatabase, MarkerNotFoundError, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

describe(`instance actions and events (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("actions", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => ctx.dispose());

  it("records the boot's action and compute events as Nova does", async () => {
    const uuid = randomUUID();
    const action = await cell.actions.start({
      instance_uuid: uuid,
      action: "create",
      request_id: "req-1",
      user_id: "admin",
      project_id: "admin",
    });
    expect(action).toMatchObject({
      action: "create",
      start_time: new Date(clock.now()),
      finish_time: null,
      message: null,
    });
    await clock.advance(2_000);
    const ev = await cell.actions.eventStart(
      uuid,
      "req-1",
      "compute__do_build_and_run_instance",
      "peer-cpu-1",
    );
    expect(ev).toMatchObject({
      action_id: action.id,
      host: "peer-cpu-1",
      start_time: new Date(clock.now()),
      result: null,
    });
    await clock.advance(3_000);
    const done = await cell.actions.eventFinish(uuid, "req-1", "compute__do_build_and_run_instance", {
      result: "Success",
    });
    expect(done).toMatchObject({ result: "Success", finish_time: new Date(clock.now()) });
    const finished = await cell.actions.finish(uuid, "req-1");
    expect(finished.finish_time).toEqual(new Date(clock.now()));
    expect((await cell.actions.events(action.id)).map((e) => e.event)).toEqual([
      "compute__do_build_and_run_instance",
    ]);
  });

  it("marks the action failed when an event fails, and refuses events of unknown requests", async () => {
    const uuid = randomUUID();
    await cell.actions.start({ instance_uuid: uuid, action: "reboot", request_id: "req-2" });
    await cell.actions.eventStart(uuid, "req-2", "compute_reboot_instance");
    await cell.actions.eventFinish(uuid, "req-2", "compute_reboot_instance", {
      result: "Error",
      traceback: "Traceback...",
      details: "boom",
    });
    expect((await cell.actions.getByRequestId(uuid, "req-2")).message).toBe("Error");
    await expect(cell.actions.eventStart(uuid, "req-404", "x")).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      cell.actions.eventFinish(uuid, "req-2", "never-started", { result: "Success" }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers start, event_start and event_finish with exactly what a read of the rows gives", async () => {
    const uuid = randomUUID();
    const action = await cell.actions.start({
      instance_uuid: uuid,
      action: "create",
      request_id: "req-3",
      user_id: "u",
      project_id: "p",
    });
    expect(action).toEqual(await cell.actions.getByRequestId(uuid, "req-3"));
    await clock.advance(1_000);
    const started = await cell.actions.eventStart(
      uuid,
      "req-3",
      "conductor_schedule_and_build_instances",
      "ctl",
    );
    expect([started]).toEqual(await cell.actions.events(action.id));
    await clock.advance(1_000);
    const done = await cell.actions.eventFinish(uuid, "req-3", "conductor_schedule_and_build_instances", {
      result: "Error",
      traceback: "tb",
      details: "no host",
    });
    expect([done]).toEqual(await cell.actions.events(action.id));
    expect(done).toMatchObject({
      result: "Error",
      traceback: "tb",
      details: "no host",
      finish_time: new Date(clock.now()),
    });
  });

  it("lists an instance's actions newest first with limit and marker", async () => {
    const uuid = randomUUID();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      await clock.advance((i % 2) * 1000); // ties on created_at are broken by id
      ids.push((await cell.actions.start({ instance_uuid: uuid, action: `a${i}`, request_id: `r${i}` })).id);
    }
    const first = await cell.actions.list(uuid, { limit: 2 });
    expect(first.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    const rest = await cell.actions.list(uuid, { marker: ids[3] });
    expect(rest.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
    await expect(cell.actions.list(uuid, { marker: 999999 })).rejects.toBeInstanceOf(MarkerNotFoundError);
  });

  it("pages by request id and filters on updated_at as the API asks (changes-since / changes-before)", async () => {
    const uuid = randomUUID();
    const t0 = clock.now();
    for (let i = 0; i < 4; i++) {
      await cell.actions.start({ instance_uuid: uuid, action: `b${i}`, request_id: `q${i}` });
      await clock.advance(1_000);
    }
    // An event on the oldest action moves its updated_at to now.
    await cell.actions.eventStart(uuid, "q0", "compute_x", "h");
    const after = await cell.actions.list(uuid, { markerRequestId: "q2", limit: 5 });
    expect(after.map((a) => a.request_id)).toEqual(["q1", "q0"]);
    expect(await cell.actions.list(uuid, { limit: 0 })).toEqual([]);
    const since = await cell.actions.list(uuid, { changesSince: new Date(t0 + 2_000) });
    expect(since.map((a) => a.request_id)).toEqual(["q3", "q2", "q0"]);
    const before = await cell.actions.list(uuid, { changesBefore: new Date(t0 + 1_000) });
    expect(before.map((a) => a.request_id)).toEqual(["q1"]);
    await expect(cell.actions.list(uuid, { markerRequestId: "q9" })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
    // Another instance's request id is no marker here.
    await expect(cell.actions.list(randomUUID(), { markerRequestId: "q1" })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
  });
});
