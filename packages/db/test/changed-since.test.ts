import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CellDatabase } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

// What a scheduler polls: rows created, updated or deleted at or after a time, deleted ones included.
describe(`compute nodes and services changed since (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("changed", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => {
    await ctx.dispose();
  });

  const node = (host: string, serviceId: number) =>
    cell.computeNodes.create({
      host,
      hypervisor_hostname: host,
      vcpus: 4,
      memory_mb: 4096,
      local_gb: 100,
      hypervisor_type: "fake",
      hypervisor_version: 1,
      service_id: serviceId,
    });

  it("lists what changed after a time, and nothing older", async () => {
    const s1 = await cell.services.create({ host: "old", binary: "nova-compute", topic: "compute" });
    const n1 = await node("old", s1.id);
    await clock.advance(60_000);
    const since = new Date(clock.now());
    expect(await cell.computeNodes.listChangedSince(since)).toEqual([]);
    expect(await cell.services.listChangedSince(since)).toEqual([]);

    const s2 = await cell.services.create({ host: "new", binary: "nova-compute", topic: "compute" });
    await cell.services.create({ host: "new", binary: "nova-conductor", topic: "conductor" });
    const n2 = await node("new", s2.id);
    await cell.services.heartbeat(s1.id);
    await cell.computeNodes.claim(n1.uuid, { vcpus: 1, memory_mb: 1, local_gb: 1 });
    expect((await cell.computeNodes.listChangedSince(since)).map((n) => n.uuid)).toEqual([n1.uuid, n2.uuid]);
    expect(
      (await cell.services.listChangedSince(since, { binary: "nova-compute" })).map((s) => s.host),
    ).toEqual(["old", "new"]);

    await clock.advance(60_000);
    const later = new Date(clock.now());
    await cell.computeNodes.destroy(n2.id);
    const gone = await cell.computeNodes.listChangedSince(later);
    expect(gone.map((n) => [n.uuid, n.deleted])).toEqual([[n2.uuid, true]]);
    await cell.services.destroy(s2.id);
    const goneSvc = await cell.services.listChangedSince(later);
    expect(goneSvc.map((s) => [s.host, s.binary, s.deleted])).toEqual([["new", "nova-compute", true]]);
  });
});
