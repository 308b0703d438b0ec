import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellDatabase } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

// Nova's Tag / TagList objects and the tag filters of instance_get_all_by_filters.
describe(`server tags (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("tags", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  const instance = async (name: string) =>
    (await cell.instances.create({ uuid: randomUUID(), display_name: name, project_id: "p" })).uuid;

  it("adds up to a limit, replaces, deletes and lists in tag order", async () => {
    const id = await instance("t1");
    expect(await cell.tags.add(id, "b", 2)).toBe("added");
    expect(await cell.tags.add(id, "b", 2)).toBe("exists");
    expect(await cell.tags.add(id, "a", 2)).toBe("added");
    expect(await cell.tags.add(id, "c", 2)).toBe("full");
    expect(await cell.tags.list(id)).toEqual(["a", "b"]);
    expect(await cell.tags.exists(id, "a")).toBe(true);
    expect(await cell.tags.exists(id, "z")).toBe(false);
    expect(await cell.tags.replace(id, ["y", "x", "y"])).toEqual(["x", "y"]);
    expect(await cell.tags.delete(id, "x")).toBe(true);
    expect(await cell.tags.delete(id, "x")).toBe(false);
    expect(await cell.tags.list(id)).toEqual(["y"]);
    await cell.tags.deleteAll(id);
    expect(await cell.tags.list(id)).toEqual([]);
  });

  it("lists many servers' tags at once and drops them with the instance", async () => {
    const one = await instance("m1");
    const two = await instance("m2");
    await cell.tags.replace(one, ["k"]);
    await cell.tags.replace(two, ["k", "l"]);
    const map = await cell.tags.listFor([one, two, randomUUID()]);
    expect(Object.fromEntries(map)).toEqual({ [one]: ["k"], [two]: ["k", "l"] });
    await cell.instances.destroy(two);
    expect(await cell.tags.list(two)).toEqual([]);
  });

  it("filters instances by tags, tags-any, not-tags and not-tags-any", async () => {
    const project = `filter-${randomUUID()}`;
    const make = async (name: string, tags: string[]) => {
      const uuid = (
        await cell.instances.create({ uuid: randomUUID(), display_name: name, project_id: project })
      ).uuid;
      await cell.tags.replace(uuid, tags);
    };
    await make("ab", ["a", "b"]);
    await make("a", ["a"]);
    await make("c", ["c"]);
    await make("none", []);
    const names = async (f: Record<string, string[]>) =>
      (await cell.instances.list({ project_id: project, ...f })).map((i) => i.display_name).sort();
    expect(await names({ tags: ["a", "b"] })).toEqual(["ab"]);
    expect(await names({ tags: ["a"] })).toEqual(["a", "ab"]);
    expect(await names({ tags_any: ["b", "c"] })).toEqual(["ab", "c"]);
    expect(await names({ not_tags: ["a", "b"] })).toEqual(["a", "c", "none"]);
    expect(await names({ not_tags_any: ["a", "c"] })).toEqual(["none"]);
    expect(await names({ tags: ["a"], not_tags_any: ["b"] })).toEqual(["a"]);
  });
});
