import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { openApiDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { CELL0_UUID } from "@nova/objects";
import { afterEach, describe, expect, it } from "vitest";
import {
  CellUnresolvedError,
  createSchedulerService,
  InvalidSchedulerConfigError,
  type SchedulerServiceDeps,
} from "../src/index.js";
import { addComputeHost, freshCell } from "./harness.js";

describe("createSchedulerService", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function parts() {
    const clock = new FakeClock(Date.parse("2026-11-27T09:00:00Z"));
    const cell = await freshCell("sqlite", clock);
    const transport = new Transport("fake://", { fakeBroker: new FakeBroker(), clock });
    const apiPath = join(tmpdir(), `nova-schedsvc-api-${randomBytes(6).toString("hex")}.db`);
    const apiDb = openApiDatabase(`sqlite:///${apiPath}`);
    await apiDb.sync();
    cleanup.push(async () => {
      await transport.close();
      await apiDb.close();
      await cell.dispose();
      for (const s of ["", "-wal", "-shm"]) rmSync(`${apiPath}${s}`, { force: true });
    });
    const deps: SchedulerServiceDeps = {
      transport,
      cellDb: cell.cell,
      apiDb,
      clock,
      logger: new MemoryLogger(),
      config: { DEFAULT: { host: "sched-1" } },
    };
    return { clock, cell, apiDb, deps };
  }

  it("fails at creation on a filter or weigher nobody registered, naming the option", async () => {
    const { deps } = await parts();
    expect(() =>
      createSchedulerService({
        ...deps,
        config: { filter_scheduler: { enabled_filters: "ComputeFilter,NoSuchFilter" } },
      }),
    ).toThrow(
      new InvalidSchedulerConfigError(
        "filter_scheduler",
        "enabled_filters",
        "no filter named NoSuchFilter is registered",
      ),
    );
    expect(() =>
      createSchedulerService({
        ...deps,
        config: { filter_scheduler: { weight_classes: "nova.scheduler.weights.Nope" } },
      }),
    ).toThrow(/^\[filter_scheduler\] weight_classes: no weigher named Nope/);
  });

  it("finds its cell in the API database's cell mappings (cell0 aside)", async () => {
    const { deps, apiDb, cell } = await parts();
    const none = createSchedulerService(deps);
    await expect(none.start()).rejects.toBeInstanceOf(CellUnresolvedError);

    await apiDb.mappings.ensureCell0("fake://", "sqlite:///cell0.db");
    const mapped = await apiDb.mappings.createCell({
      name: "cell1",
      transport_url: "fake://",
      database_connection: cell.cell.db.options.connection,
    });
    await addComputeHost(cell.cell, "h1", { vcpus: 2, memory_mb: 2048, local_gb: 10 });
    const service = createSchedulerService(deps);
    await service.start();
    expect(service.hostStates.hosts.get("h1", "h1").cell_uuid).toBe(mapped.uuid);
    await service.stop();

    // Two cells: the one whose database is ours.
    await apiDb.mappings.createCell({
      name: "cell2",
      transport_url: "fake://",
      database_connection: "sqlite:///other.db",
    });
    const again = createSchedulerService(deps);
    await again.start();
    expect(again.hostStates.hosts.get("h1", "h1").cell_uuid).toBe(mapped.uuid);
    expect(again.hostStates.hosts.get("h1", "h1").cell_uuid).not.toBe(CELL0_UUID);
    await again.stop();
  });

  it("polls on its clock until stopped, and a failed poll is logged and retried", async () => {
    const { deps, clock, cell } = await parts();
    const logger = new MemoryLogger();
    const service = createSchedulerService({
      ...deps,
      logger,
      cellUuid: "c0000000-0000-4000-8000-000000000001",
      config: { scheduler: { host_state_refresh_interval: 5 } },
    });
    await service.start();
    const nodes = cell.cell.computeNodes;
    const real = nodes.listChangedSince.bind(nodes);
    nodes.listChangedSince = () => Promise.reject(new Error("database went away"));
    // The clock fires the poll and lets it fail, be logged and schedule the next one.
    await clock.advance(5_000);
    expect(
      logger.records.some(
        (e) =>
          e.level === "warn" &&
          e.message === "periodic task failed" &&
          (e.fields as { task?: string }).task === "refresh_host_states",
      ),
    ).toBe(true);
    nodes.listChangedSince = real;
    await addComputeHost(cell.cell, "late", { vcpus: 2, memory_mb: 2048, local_gb: 10 });
    await clock.advance(5_000);
    expect(service.hostStates.stats.refreshes).toBe(2);
    // The periodic poll itself found the new host (advance waits for it to finish).
    expect(service.hostStates.hosts.size).toBe(1);
    await service.stop();
    await clock.advance(60_000);
    expect(service.hostStates.stats.refreshes).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });
});
