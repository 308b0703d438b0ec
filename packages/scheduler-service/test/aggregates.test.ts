import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { openApiDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { adminContext, SchedulerAPI } from "@nova/rpcapi";
import { afterEach, describe, expect, it } from "vitest";
import { createSchedulerService } from "../src/index.js";
import { addComputeHost, freshCell } from "./harness.js";

const CELL_UUID = "c0000000-0000-4000-8000-000000000001";

describe("the scheduler's host aggregates", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("loads them from the API database at start, and again on an update_aggregates cast and on each poll", async () => {
    const clock = new FakeClock(Date.parse("2026-11-27T09:00:00Z"));
    const cell = await freshCell("sqlite", clock);
    const broker = new FakeBroker();
    const serverTransport = new Transport("fake://", { fakeBroker: broker, clock });
    const callerTransport = new Transport("fake://", { fakeBroker: broker, clock });
    const apiPath = join(tmpdir(), `nova-schedagg-api-${randomBytes(6).toString("hex")}.db`);
    const apiDb = openApiDatabase(`sqlite:///${apiPath}`);
    await apiDb.sync();
    cleanup.push(async () => {
      await serverTransport.close();
      await callerTransport.close();
      await apiDb.close();
      await cell.dispose();
      for (const s of ["", "-wal", "-shm"]) rmSync(`${apiPath}${s}`, { force: true });
    });
    await addComputeHost(cell.cell, "h1", { vcpus: 2, memory_mb: 2048, local_gb: 10 });
    await addComputeHost(cell.cell, "h2", { vcpus: 2, memory_mb: 2048, local_gb: 10 });
    const az1 = await apiDb.aggregates.create({ name: "a1", metadata: { availability_zone: "az1" } });
    await apiDb.aggregates.addHost(az1.id, "h1");

    const service = createSchedulerService({
      transport: serverTransport,
      cellDb: cell.cell,
      apiDb,
      cellUuid: CELL_UUID,
      clock,
      logger: new MemoryLogger(),
      config: { scheduler: { host_state_refresh_interval: 5 } },
    });
    await service.start();
    cleanup.push(() => service.stop());
    const zonesOf = (host: string) => [
      ...(service.hostStates.hosts
        .get(host, host)
        .aggregateSet.metadata("availability_zone")
        .get("availability_zone") ?? []),
    ];
    expect(zonesOf("h1")).toEqual(["az1"]);
    expect(zonesOf("h2")).toEqual([]);

    // The API casts update_aggregates after a change: the scheduler re-reads at once.
    const az2 = await apiDb.aggregates.create({ name: "a2", metadata: { availability_zone: "az2" } });
    const withHost = await apiDb.aggregates.addHost(az2.id, "h2");
    await new SchedulerAPI({ transport: callerTransport }).updateAggregates(adminContext(), [
      { ...withHost, createdAt: withHost.created_at, updatedAt: withHost.updated_at },
    ]);
    for (let i = 0; i < 200 && zonesOf("h2").length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(zonesOf("h2")).toEqual(["az2"]);

    // Without a cast (one missed), the next poll finds the change.
    await apiDb.aggregates.removeHost(az1.id, "h1");
    await clock.advance(5_000);
    expect(zonesOf("h1")).toEqual([]);
  });
});
