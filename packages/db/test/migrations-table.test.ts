import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CellDatabase,
  MarkerNotFoundError,
  NotFoundError,
  UnexpectedMigrationStatusError,
} from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

// Nova's Migration / MigrationList objects over the `migrations` table (cell migration 0006).
describe(`migrations (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("migrations", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  const resize = (instance: string, source: string, status = "pre-migrating") =>
    cell.migrations.create({
      instance_uuid: instance,
      status,
      migration_type: "resize",
      source_compute: source,
      source_node: source,
      old_instance_type_id: 1,
      new_instance_type_id: 2,
      user_id: "u1",
      project_id: "p1",
    });

  it("creates with a uuid and Nova's defaults, reads back by id and uuid", async () => {
    const m = await resize(randomUUID(), "c1");
    expect(m).toMatchObject({
      status: "pre-migrating",
      migration_type: "resize",
      hidden: false,
      cross_cell_move: false,
      dest_compute: null,
      old_instance_type_id: 1,
      new_instance_type_id: 2,
      deleted: false,
      created_at: new Date("2026-11-27T07:00:00Z"),
    });
    expect(m.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await cell.migrations.get(m.id)).toEqual(m);
    expect(await cell.migrations.getByUuid(m.uuid)).toEqual(m);
    await expect(cell.migrations.get(999999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("updates conditionally on the status: of two enders only one wins", async () => {
    const m = await resize(randomUUID(), "c1", "finished");
    await clock.advance(2000);
    const confirmed = await cell.migrations.update(m.id, { status: "confirmed" }, ["finished", "confirming"]);
    expect(confirmed.status).toBe("confirmed");
    expect(confirmed.updated_at).toEqual(new Date(clock.now()));
    const lost = await cell.migrations
      .update(m.id, { status: "reverted" }, ["finished", "reverting"])
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(UnexpectedMigrationStatusError);
    expect((lost as UnexpectedMigrationStatusError).actual).toBe("confirmed");
    // Without an expectation the row changes whatever its status.
    expect((await cell.migrations.update(m.id, { dest_compute: "c2" })).dest_compute).toBe("c2");
  });

  it("saves a step only while the move is not over, and returns the row as it is either way", async () => {
    const m = await resize(randomUUID(), "c1");
    const step = await cell.migrations.updateInProgress(m.id, { status: "migrating", dest_compute: "c2" });
    expect(step.saved).toBe(true);
    expect(step.migration).toMatchObject({ status: "migrating", dest_compute: "c2" });
    await cell.migrations.update(m.id, { status: "error" });
    const late = await cell.migrations.updateInProgress(m.id, { status: "post-migrating", dest_node: "n9" });
    expect(late.saved).toBe(false);
    expect(late.migration).toMatchObject({ status: "error", dest_compute: "c2", dest_node: null });
    await expect(cell.migrations.updateInProgress(999999, { status: "migrating" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("lists in-progress moves by instance and by host, leaving out those that are over", async () => {
    const inst = randomUUID();
    const done = await resize(inst, "h-a", "confirmed");
    const live = await resize(inst, "h-a", "migrating");
    await cell.migrations.update(live.id, { dest_compute: "h-b", dest_node: "h-b" });
    expect((await cell.migrations.listInProgressByInstance(inst)).map((m) => m.id)).toEqual([live.id]);
    expect(await cell.migrations.listInProgressByInstance(inst, ["live-migration"])).toEqual([]);
    expect((await cell.migrations.listInProgressByHost("h-b")).map((m) => m.id)).toEqual([live.id]);
    expect((await cell.migrations.listInProgressByHost("h-a")).map((m) => m.id)).toEqual([live.id]);
    expect(done.status).toBe("confirmed");
  });

  it("finds finished resizes older than a time (the resize_confirm_window sweep)", async () => {
    const m = await resize(randomUUID(), "sweep-src", "finished");
    await cell.migrations.update(m.id, { dest_compute: "sweep-dst" });
    const at = new Date(clock.now());
    await clock.advance(60_000);
    expect(
      (await cell.migrations.listByStatusUpdatedBefore("finished", at, "sweep-dst")).map((x) => x.id),
    ).toEqual([m.id]);
    expect(
      await cell.migrations.listByStatusUpdatedBefore("finished", new Date(at.getTime() - 1000), "sweep-dst"),
    ).toEqual([]);
  });

  it("filters and pages os-migrations newest first, after a marker", async () => {
    const inst = randomUUID();
    const made = [];
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      made.push(await resize(inst, "pg-src", "finished"));
    }
    const all = await cell.migrations.list({ instanceUuid: inst });
    expect(all.map((m) => m.id)).toEqual(made.map((m) => m.id).reverse());
    const first = await cell.migrations.list({ instanceUuid: inst }, { limit: 2 });
    expect(first.map((m) => m.id)).toEqual([made[2]!.id, made[1]!.id]);
    const next = await cell.migrations.list({ instanceUuid: inst }, { limit: 2, marker: first[1]!.uuid });
    expect(next.map((m) => m.id)).toEqual([made[0]!.id]);
    expect(await cell.migrations.list({ host: "pg-src", status: "error" })).toEqual([]);
    expect((await cell.migrations.list({ host: "pg-src", migrationType: "resize" })).length).toBe(3);
    expect((await cell.migrations.list({ userId: "u1", projectId: "p1", instanceUuid: inst })).length).toBe(
      3,
    );
    expect(await cell.migrations.list({ userId: "other", instanceUuid: inst })).toEqual([]);
    await expect(cell.migrations.list({}, { marker: randomUUID() })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
  });
});
