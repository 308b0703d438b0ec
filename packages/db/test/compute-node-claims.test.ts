import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CellDatabase,
  ClaimRejectedError,
  GenerationConflictError,
  MarkerNotFoundError,
  NotFoundError,
  openCellDatabase,
} from "../src/index.js";
import { withImmediateRetries } from "../src/test/index.js";
import { backend, fakeClock, migratedCell, testPool } from "./test-backend.js";

const tiny = { vcpus: 1, memory_mb: 512, local_gb: 1 };

describe(`compute node resource claims (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  let second: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("claims", { clock });
    cell = ctx.cell;
    // A second handle with its own pool/connection: another scheduler process.
    second = openCellDatabase({ connection: ctx.url, ...testPool }, { clock: withImmediateRetries(clock) });
  });
  afterAll(async () => {
    await second.close();
    await ctx.dispose();
  });

  const node = (host: string, vcpus: number) =>
    cell.computeNodes.create({
      host,
      hypervisor_hostname: host,
      vcpus,
      memory_mb: 64 * 1024,
      local_gb: 1000,
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      cpu_allocation_ratio: 1.0,
      ram_allocation_ratio: 1.0,
      disk_allocation_ratio: 1.0,
    });

  it("grants exactly 10 of 50 concurrent claims on a host with room for 10, from two schedulers", async () => {
    const n = await node("room-for-10", 10);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? cell : second).computeNodes.claim(n.uuid, tiny)),
    );
    const granted = results.filter((r) => r.status === "fulfilled");
    const rejected = results
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(granted).toHaveLength(10);
    expect(rejected).toHaveLength(40);
    for (const e of rejected) expect(e).toBeInstanceOf(ClaimRejectedError);
    const after = await cell.computeNodes.getByUuid(n.uuid);
    expect(after.vcpus_used).toBe(10);
    expect(after.memory_mb_used).toBe(10 * 512);
    expect(after.local_gb_used).toBe(10);
    expect(after.running_vms).toBe(10);
    expect(after.free_ram_mb).toBe(64 * 1024 - 10 * 512);
    expect(after.generation).toBe(n.generation + 10);
  });

  it("answers a claim and a release with the node exactly as a fresh read then sees it", async () => {
    const { uuid } = await node("claim-echo", 4);
    await clock.advance(1_000);
    const claimed = await cell.computeNodes.claim(uuid, tiny);
    expect(claimed).toEqual(await cell.computeNodes.getByUuid(uuid));
    expect(claimed).toMatchObject({ vcpus_used: 1, memory_mb_used: 512, local_gb_used: 1, running_vms: 1 });
    await clock.advance(1_000);
    const released = await cell.computeNodes.release(uuid, tiny);
    expect(released).toEqual(await cell.computeNodes.getByUuid(uuid));
    expect(released).toMatchObject({ vcpus_used: 0, running_vms: 0, generation: claimed.generation + 1 });
  });

  it("refuses a claim decided on a stale generation, and accepts it on the current one", async () => {
    const n = await node("stale", 4);
    await second.computeNodes.claim(n.uuid, tiny);
    const err = await cell.computeNodes
      .claim(n.uuid, tiny, { generation: n.generation })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationConflictError);
    const fresh = await cell.computeNodes.getByUuid(n.uuid);
    const claimed = await cell.computeNodes.claim(n.uuid, tiny, { generation: fresh.generation });
    expect(claimed.vcpus_used).toBe(2);
  });

  it("honours allocation ratios and releases resources without going below zero", async () => {
    const n = await cell.computeNodes.create({
      host: "ratios",
      hypervisor_hostname: "ratios",
      vcpus: 2,
      memory_mb: 1024,
      local_gb: 10,
      hypervisor_type: "fake",
      hypervisor_version: 1,
      cpu_allocation_ratio: 2.0,
      ram_allocation_ratio: 1.5,
      disk_allocation_ratio: 1.0,
    });
    for (let i = 0; i < 3; i++) await cell.computeNodes.claim(n.uuid, tiny); // 1536 MB = 1024 * 1.5
    const err = await cell.computeNodes.claim(n.uuid, tiny).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaimRejectedError);
    expect((err as ClaimRejectedError).reason).toBe("not enough RAM");
    const released = await cell.computeNodes.release(n.uuid, { vcpus: 5, memory_mb: 4096, local_gb: 1 });
    expect(released).toMatchObject({ vcpus_used: 0, memory_mb_used: 0, local_gb_used: 2, running_vms: 2 });
  });

  it("saves the resource tracker's view, bumping the generation; soft delete frees host/nodename", async () => {
    const n = await node("tracked", 8);
    await clock.advance(60_000);
    const saved = await cell.computeNodes.update(n.id, {
      vcpus_used: 3,
      stats: { num_instances: "3" },
      cpu_info: "{}",
    });
    expect(saved).toMatchObject({
      vcpus_used: 3,
      stats: { num_instances: "3" },
      generation: n.generation + 1,
    });
    expect(saved.updated_at).toEqual(new Date(clock.now()));
    expect(await cell.computeNodes.getByHostAndNodename("tracked", "tracked")).toEqual(saved);
    expect((await cell.computeNodes.list({ host: "tracked" })).map((x) => x.id)).toEqual([n.id]);
    const all = await cell.computeNodes.list();
    const firstTwo = await cell.computeNodes.list({}, { limit: 2 });
    const rest = await cell.computeNodes.list({}, { marker: firstTwo[1]!.uuid });
    expect([...firstTwo, ...rest].map((x) => x.id)).toEqual(all.map((x) => x.id));
    await expect(cell.computeNodes.list({}, { marker: "no-such-node" })).rejects.toBeInstanceOf(
      MarkerNotFoundError,
    );
    await cell.computeNodes.destroy(n.id);
    await expect(cell.computeNodes.get(n.id)).rejects.toBeInstanceOf(NotFoundError);
    const again = await node("tracked", 8);
    expect(again.id).not.toBe(n.id);
  });
});
