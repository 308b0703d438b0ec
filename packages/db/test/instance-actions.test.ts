import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellDatabase, MarkerNotFoundError, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

describe(`instance actions and events (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  const queries: string[] = [];
  beforeAll(async () => {
    ctx = await migratedCell("actions", { clock, onQuery: (q) => queries.push(q) });
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

  it("records events without answering them (want_result=False) as eventStart and eventFinish write them", async () => {
    // Two twins of one request: what each kind of call leaves in the tables must be the same.
    const run = async (request: string, quiet: boolean) => {
      const uuid = randomUUID();
      const older = await cell.actions.start({ instance_uuid: uuid, action: "resize", request_id: request });
      const action = await cell.actions.start({ instance_uuid: uuid, action: "resize", request_id: request });
      expect(action.id).toBeGreaterThan(older.id);
      await clock.advance(1_000);
      queries.length = 0;
      if (quiet) await cell.actions.recordEventStart(uuid, request, "compute_prep_resize", "cpu-2");
      else await cell.actions.eventStart(uuid, request, "compute_prep_resize", "cpu-2");
      const startQueries = queries.length;
      await clock.advance(1_000);
      // A second event of that name: the finish takes the newest open one.
      await cell.actions.eventStart(uuid, request, "compute_prep_resize", "cpu-2");
      await clock.advance(1_000);
      queries.length = 0;
      const failed = { result: "Error", traceback: "tb", details: "claim failed" } as const;
      if (quiet) await cell.actions.recordEventFinish(uuid, request, "compute_prep_resize", failed);
      else await cell.actions.eventFinish(uuid, request, "compute_prep_resize", failed);
      const finishQueries = queries.length;
      // Ids and the run's own times left out: times as offsets from the action's start.
      const base = action.start_time!.getTime();
      const strip = ({ id: _id, action_id: _a, ...rest }: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(rest).map(([k, v]) => [k, v instanceof Date ? v.getTime() - base : v]),
        );
      return {
        events: (await cell.actions.events(action.id)).map((e) => strip(e)),
        olderEvents: await cell.actions.events(older.id),
        action: strip(await cell.actions.getByRequestId(uuid, request)),
        startQueries,
        finishQueries,
      };
    };
    const answered = await run("req-answered", false);
    const quiet = await run("req-quiet", true);
    const sameExceptRequest = (a: typeof quiet.action) => ({ ...a, instance_uuid: "x", request_id: "x" });
    expect(quiet.events).toEqual(answered.events);
    expect(quiet.events.map((e) => e.result)).toEqual([null, "Error"]);
    expect(quiet.olderEvents).toEqual([]);
    expect(sameExceptRequest(quiet.action)).toEqual(sameExceptRequest(answered.action));
    expect(quiet.action.message).toBe("Error");
    // On MariaDB one round trip each (the start's two statements go side by side); SQLite answers as before.
    if (backend === "mariadb") expect([quiet.startQueries, quiet.finishQueries]).toEqual([2, 1]);
    await expect(cell.actions.recordEventStart(randomUUID(), "req-404", "x")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const uuid = randomUUID();
    await cell.actions.start({ instance_uuid: uuid, action: "reboot", request_id: "req-5" });
    await expect(
      cell.actions.recordEventFinish(uuid, "req-5", "never-started", { result: "Success" }),
    ).rejects.toBeInstanceOf(NotFoundError);
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
