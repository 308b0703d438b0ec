import { FakeClock, MemoryLogger } from "@nova/core/test";
import type { CellDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { adminContext, SchedulerAPI } from "@nova/rpcapi";
import { afterEach, describe, expect, it } from "vitest";
import { createSchedulerService } from "../src/index.js";
import { addComputeHost, freshCell, specFor, uuid } from "./harness.js";

const tiny = { vcpus: 1, memory_mb: 64, root_gb: 1 };

describe("a scheduler over several cells re-reading its cells (SIGHUP)", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("places into a cell added since it started, and no longer into one removed", async () => {
    const clock = new FakeClock(Date.parse("2026-12-07T09:00:00Z"));
    const broker = new FakeBroker();
    const [a, b] = [await freshCell("sqlite", clock), await freshCell("sqlite", clock)];
    const transports = [0, 1].map(() => new Transport("fake://", { fakeBroker: broker, clock }));
    await addComputeHost(a.cell, "a1", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    await addComputeHost(b.cell, "b1", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    // What the cell mappings hold besides the scheduler's own cell: nothing at start.
    let mapped: { cellUuid: string; cellDb: CellDatabase }[] = [];
    const logger = new MemoryLogger();
    const service = createSchedulerService({
      transport: transports[0]!,
      cellDb: a.cell,
      cellUuid: "cell-a",
      otherCells: async () => mapped,
      clock,
      logger,
      config: { DEFAULT: { host: "sched", cell_timeout: 3 }, scheduler: { host_state_refresh_interval: 1 } },
      random: () => 0,
    });
    cleanup.push(async () => {
      await service.stop();
      for (const t of transports) await t.close();
      await a.dispose();
      await b.dispose();
    });
    await service.start();
    const api = new SchedulerAPI({ transport: transports[1]! });
    const place = async (n: number) =>
      (await api.selectDestinations(adminContext(), specFor(tiny, uuid(n)), [uuid(n)]))[0]![0]!.service_host;

    expect([await place(1), await place(2)]).toEqual(["a1", "a1"]);
    mapped = [{ cellUuid: "cell-b", cellDb: b.cell }];
    await service.reloadCells();
    // The cells are asked in turn: one of two requests is cell b's.
    expect([await place(3), await place(4)].sort()).toEqual(["a1", "b1"]);
    expect(logger.records.some((e) => e.message === "scheduler cells reloaded")).toBe(true);

    mapped = [];
    await service.reloadCells();
    expect([await place(5), await place(6)]).toEqual(["a1", "a1"]);
  });
});
