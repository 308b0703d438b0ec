import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellDatabase, InstanceEventFinished, RepositoryCall } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

describe(`the database observer (${backend})`, () => {
  const clock = fakeClock();
  const calls: RepositoryCall[] = [];
  const finished: InstanceEventFinished[] = [];
  const inUse: number[] = [];
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("observer", {
      clock,
      observer: {
        repositoryCall: (c) => calls.push(c),
        instanceEventFinished: (f) => finished.push(f),
        poolConnectionsInUse: (n) => inUse.push(n),
      },
    });
    cell = ctx.cell;
  });
  afterAll(async () => ctx.dispose());

  it("times each repository method once, by repository and method, failures with their error", async () => {
    calls.length = 0;
    await cell.instances.list({});
    await expect(cell.instances.get(randomUUID())).rejects.toThrow();
    expect(calls.map((c) => `${c.repository}.${c.method}`)).toEqual(["instances.list", "instances.get"]);
    expect(calls[0]!.error).toBeUndefined();
    expect(calls[0]!.seconds).toBeGreaterThanOrEqual(0);
    expect((calls[1]!.error as { code?: string }).code).toBe("DB_NOT_FOUND");
    if (backend === "mariadb") {
      // Every connection checked out was given back.
      expect(inUse.length).toBeGreaterThan(0);
      expect(inUse.at(-1)).toBe(0);
    } else {
      expect(inUse).toEqual([]);
    }
  });

  it("reports a finished event with its action, its own time and the time since the action started", async () => {
    const uuid = randomUUID();
    await cell.actions.start({ instance_uuid: uuid, action: "create", request_id: "req-o" });
    await clock.advance(2_000);
    await cell.actions.eventStart(uuid, "req-o", "compute__do_build_and_run_instance", "h1");
    await clock.advance(3_000);
    const ev = await cell.actions.eventFinish(uuid, "req-o", "compute__do_build_and_run_instance", {
      result: "Error",
    });
    // The row is returned as before: the joined action columns are not part of it.
    expect(Object.keys(ev)).not.toContain("action_name");
    expect(finished).toEqual([
      {
        action: "create",
        event: "compute__do_build_and_run_instance",
        result: "Error",
        stageSeconds: 3,
        elapsedSeconds: 5,
      },
    ]);
  });
});
