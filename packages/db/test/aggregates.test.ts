import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDatabase, DuplicateEntryError, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedApi } from "./test-backend.js";

describe(`aggregate repository (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedApi>>;
  let api: ApiDatabase;
  beforeAll(async () => {
    ctx = await migratedApi("aggregates", { clock });
    api = ctx.api;
  });
  afterAll(async () => ctx.dispose());

  it("creates, renames, and refuses a taken name", async () => {
    const a = await api.aggregates.create({ name: "rack1", metadata: { availability_zone: "az1" } });
    expect(a).toMatchObject({ name: "rack1", hosts: [], metadata: { availability_zone: "az1" } });
    expect(a.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.created_at).toEqual(new Date("2026-11-27T07:00:00Z"));
    await expect(api.aggregates.create({ name: "rack1" })).rejects.toBeInstanceOf(DuplicateEntryError);
    const b = await api.aggregates.create({ name: "rack2" });
    await expect(api.aggregates.rename(b.id, "rack1")).rejects.toBeInstanceOf(DuplicateEntryError);
    await clock.advance(1000);
    const renamed = await api.aggregates.rename(b.id, "rack2b");
    expect(renamed.name).toBe("rack2b");
    expect(renamed.updated_at).toEqual(new Date("2026-11-27T07:00:01Z"));
    await expect(api.aggregates.rename(9999, "x")).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.aggregates.get(a.id)).name).toBe("rack1");
  });

  it("adds and removes hosts; a host twice is a duplicate, a missing one not found", async () => {
    const a = await api.aggregates.create({ name: "hosts" });
    await api.aggregates.addHost(a.id, "c1");
    const two = await api.aggregates.addHost(a.id, "c2");
    expect(two.hosts).toEqual(["c1", "c2"]);
    await expect(api.aggregates.addHost(a.id, "c1")).rejects.toBeInstanceOf(DuplicateEntryError);
    await expect(api.aggregates.addHost(9999, "c1")).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.aggregates.removeHost(a.id, "c1")).hosts).toEqual(["c2"]);
    const missing = await api.aggregates.removeHost(a.id, "c1").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).entity).toBe("AggregateHost");
  });

  it("sets and deletes metadata keys (a missing key to delete is ignored)", async () => {
    const a = await api.aggregates.create({ name: "md", metadata: { a: "1", b: "2" } });
    const after = await api.aggregates.updateMetadata(a.id, { a: "10", b: null, c: "3", nope: null });
    expect(after.metadata).toEqual({ a: "10", c: "3" });
    expect(after.updated_at).toEqual(new Date(clock.now()));
    await expect(api.aggregates.updateMetadata(9999, { a: "1" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists all and by host (optionally by metadata key), and deletes with hosts and metadata", async () => {
    const z = await api.aggregates.create({ name: "zoned", metadata: { availability_zone: "az9" } });
    const plain = await api.aggregates.create({ name: "plain", metadata: { ssd: "true" } });
    await api.aggregates.addHost(z.id, "h9");
    await api.aggregates.addHost(plain.id, "h9");
    expect((await api.aggregates.listByHost("h9")).map((a) => a.name)).toEqual(["zoned", "plain"]);
    expect((await api.aggregates.listByHost("h9", "availability_zone")).map((a) => a.name)).toEqual([
      "zoned",
    ]);
    expect(await api.aggregates.listByHost("nowhere")).toEqual([]);
    const all = await api.aggregates.list();
    expect(all.find((a) => a.name === "plain")).toMatchObject({ hosts: ["h9"], metadata: { ssd: "true" } });
    await api.aggregates.delete(plain.id);
    await expect(api.aggregates.get(plain.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.aggregates.delete(plain.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.aggregates.listByHost("h9")).map((a) => a.name)).toEqual(["zoned"]);
    // The name is free again once deleted.
    expect((await api.aggregates.create({ name: "plain" })).hosts).toEqual([]);
  });
});
