import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellDatabase } from "../src/index.js";
import { PreparedByCount, PreparedStatement } from "../src/prepared-statement.js";
import { backend, migratedCell } from "./test-backend.js";

describe(`prepared statements (${backend})`, () => {
  const seen: string[] = [];
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("prepared", { onQuery: (q) => seen.push(q) });
    cell = ctx.cell;
    await cell.db.kysely.schema
      .createTable("pairs")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("k", "varchar(20)")
      .addColumn("deleted", "integer")
      .execute();
    await cell.db.kysely
      .insertInto("pairs")
      .values([
        { id: 1, k: "a", deleted: 0 },
        { id: 2, k: "b", deleted: 0 },
        { id: 3, k: "a", deleted: 1 },
      ])
      .execute();
  });
  afterAll(async () => ctx.dispose());

  it("binds each run's values by slot, keeps the statement's own constants, and sends the same SQL", async () => {
    let builds = 0;
    const byKeys = new PreparedStatement<{ id: number }>((db, slot) => {
      builds += 1;
      return db
        .selectFrom("pairs")
        .select("id")
        .where("deleted", "=", 0)
        .where("k", "in", [slot(1), slot(0)])
        .where((eb) => eb.or([eb("k", "=", slot(0)), eb("k", "=", slot(1))]))
        .orderBy("id");
    });
    const db = cell.db.kysely;
    seen.length = 0;
    expect((await byKeys.rows(db, ["a", "zz"])).map((r) => Number(r.id))).toEqual([1]);
    expect((await byKeys.rows(db, ["b", "a"])).map((r) => Number(r.id))).toEqual([1, 2]);
    expect((await byKeys.rows(db, ["q", "r"])).map((r) => Number(r.id))).toEqual([]);
    expect(builds).toBe(1);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1); // one SQL text, only the values change
  });

  it("counts the rows an update changed, inside a transaction too", async () => {
    const rename = new PreparedStatement((db, slot) =>
      db
        .updateTable("pairs")
        .set({ k: slot(1) })
        .where("id", "=", slot(0))
        .where("deleted", "=", 0),
    );
    expect(await rename.affected(cell.db.kysely, [2, "c"])).toBe(1);
    expect(await rename.affected(cell.db.kysely, [3, "c"])).toBe(0); // deleted: the constant still applies
    const inside = await cell.db.transaction((trx) => rename.affected(trx, [1, "d"]));
    expect(inside).toBe(1);
    const rows = await cell.db.kysely.selectFrom("pairs").select(["id", "k"]).orderBy("id").execute();
    expect(rows.map((r) => [Number(r.id), r.k])).toEqual([
      [1, "d"],
      [2, "c"],
      [3, "a"],
    ]);
  });

  it("keeps one statement per list length, and compiles longer lists than it keeps on each use", async () => {
    const builds: number[] = [];
    const byIds = new PreparedByCount<{ k: string }>((db, slot, count) => {
      builds.push(count);
      const ids = Array.from({ length: count }, (_, i) => slot(i));
      return db.selectFrom("pairs").select("k").where("id", "in", ids).orderBy("id");
    }, 2);
    const db = cell.db.kysely;
    const keys = async (ids: number[]) => (await byIds.for(ids.length).rows(db, ids)).map((r) => r.k);
    expect(await keys([2])).toEqual(["c"]);
    expect(await keys([1, 3])).toEqual(["d", "a"]);
    expect(await keys([3])).toEqual(["a"]);
    expect(await keys([1, 2, 3])).toEqual(["d", "c", "a"]);
    expect(await keys([1, 2, 3])).toEqual(["d", "c", "a"]);
    expect(builds).toEqual([1, 2, 3, 3]);
  });
});
