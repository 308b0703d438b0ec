import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellDatabase, MarkerNotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

// Nova's instance_get_active_by_window_joined (os-simple-tenant-usage's read), on SQLite and MariaDB.

const at = (hour: number) => new Date(Date.UTC(2026, 10, 27, hour, 0, 0));
const uuid = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

describe(`instances active in a window (${backend})`, () => {
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("usagewin", { clock: fakeClock() });
    cell = ctx.cell;
    const rows: Array<[number, string, Date | null, Date | null]> = [
      [1, "p2", at(9), null], // running since before the window
      [2, "p1", at(10), at(11)], // ended before the window
      [3, "p1", at(12), at(14)], // deleted within it
      [4, "p1", at(17), null], // launched after it
      [5, "p1", null, null], // never launched
      [6, "p1", at(13), null],
    ];
    for (const [n, project, launched, terminated] of rows) {
      await cell.instances.create({
        uuid: uuid(n),
        project_id: project,
        user_id: "u",
        vcpus: 1,
        memory_mb: 512,
        launched_at: launched,
        terminated_at: terminated,
      });
    }
    await cell.instances.destroy(uuid(3));
  });
  afterAll(async () => ctx.dispose());

  it("finds what ran in the window, deleted ones included, sorted by project and uuid", async () => {
    const window = { begin: at(11), end: at(16) };
    const all = await cell.instances.listActiveByWindow(window);
    expect(all.map((i) => i.uuid)).toEqual([uuid(3), uuid(6), uuid(1)]);
    expect(all[0]?.deleted).toBeTruthy();
    const p1 = await cell.instances.listActiveByWindow({ ...window, projectId: "p1" });
    expect(p1.map((i) => i.uuid)).toEqual([uuid(3), uuid(6)]);
    const page = await cell.instances.listActiveByWindow(window, { limit: 1, marker: uuid(3) });
    expect(page.map((i) => i.uuid)).toEqual([uuid(6)]);
    await expect(cell.instances.listActiveByWindow(window, { marker: "nope" })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
  });
});
