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
import { createSchedulerService, parseSchedulerServiceConfig } from "../src/index.js";
import { addComputeHost, freshCell } from "./harness.js";

describe("[scheduler] discover_hosts_in_cells_interval", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("is off by default (-1, as Nova) and refuses values below -1", () => {
    expect(parseSchedulerServiceConfig({}).discoverHostsInCellsInterval).toBe(-1);
    expect(
      parseSchedulerServiceConfig({ scheduler: { discover_hosts_in_cells_interval: "300" } })
        .discoverHostsInCellsInterval,
    ).toBe(300);
    expect(() =>
      parseSchedulerServiceConfig({ scheduler: { discover_hosts_in_cells_interval: "-2" } }),
    ).toThrow(/^\[scheduler\] discover_hosts_in_cells_interval: /);
  });

  it("maps the new compute hosts of every cell each interval, its own cell and another", async () => {
    const clock = new FakeClock(Date.parse("2026-12-06T09:00:00Z"));
    const own = await freshCell("sqlite", clock);
    const other = await freshCell("sqlite", clock);
    const transport = new Transport("fake://", { fakeBroker: new FakeBroker(), clock });
    const apiPath = join(tmpdir(), `nova-schedsvc-api-${randomBytes(6).toString("hex")}.db`);
    const apiDb = openApiDatabase(`sqlite:///${apiPath}`);
    await apiDb.sync();
    cleanup.push(async () => {
      await transport.close();
      await apiDb.close();
      await own.dispose();
      await other.dispose();
      for (const s of ["", "-wal", "-shm"]) rmSync(`${apiPath}${s}`, { force: true });
    });
    await apiDb.mappings.ensureCell0("none:///", "sqlite://");
    const cell1 = await apiDb.mappings.createCell({
      name: "cell1",
      transport_url: "fake://cell1",
      database_connection: own.cell.db.options.connection,
    });
    const cell2 = await apiDb.mappings.createCell({
      name: "cell2",
      transport_url: "fake://cell2",
      database_connection: other.cell.db.options.connection,
    });
    const size = { vcpus: 4, memory_mb: 4096, local_gb: 40 };
    await addComputeHost(own.cell, "cpu-a", size);
    const svc = createSchedulerService({
      transport,
      cellDb: own.cell,
      apiDb,
      cellUuid: cell1.uuid,
      clock,
      logger: new MemoryLogger(),
      config: { DEFAULT: { host: "sched-1" }, scheduler: { discover_hosts_in_cells_interval: 60 } },
    });
    await svc.start();
    cleanup.push(() => svc.stop());
    await expect(apiDb.mappings.getHostMapping("cpu-a")).rejects.toMatchObject({ code: "DB_NOT_FOUND" });
    await clock.advance(60_000);
    expect((await apiDb.mappings.getHostMapping("cpu-a")).cell_mapping.uuid).toBe(cell1.uuid);

    await addComputeHost(other.cell, "cpu-b", size);
    await clock.advance(60_000);
    expect((await apiDb.mappings.getHostMapping("cpu-b")).cell_mapping.uuid).toBe(cell2.uuid);
    expect((await apiDb.mappings.listHostMappings()).map((m) => m.host)).toEqual(["cpu-a", "cpu-b"]);
  });
  it("places into a cell created while it runs once discovery maps a host there", async () => {
    const clock = new FakeClock(Date.parse("2026-12-07T09:00:00Z"));
    const own = await freshCell("sqlite", clock);
    const other = await freshCell("sqlite", clock);
    const transport = new Transport("fake://", { fakeBroker: new FakeBroker(), clock });
    const apiPath = join(tmpdir(), `nova-schedsvc-api-${randomBytes(6).toString("hex")}.db`);
    const apiDb = openApiDatabase(`sqlite:///${apiPath}`);
    await apiDb.sync();
    cleanup.push(async () => {
      await transport.close();
      await apiDb.close();
      await own.dispose();
      await other.dispose();
      for (const s of ["", "-wal", "-shm"]) rmSync(`${apiPath}${s}`, { force: true });
    });
    await apiDb.mappings.ensureCell0("none:///", "sqlite://");
    const cell1 = await apiDb.mappings.createCell({
      name: "cell1",
      transport_url: "fake://cell1",
      database_connection: own.cell.db.options.connection,
    });
    const logger = new MemoryLogger();
    const svc = createSchedulerService({
      transport,
      cellDb: own.cell,
      apiDb,
      cellUuid: cell1.uuid,
      // As the runtime does: the cells mapped besides its own, read afresh each time.
      otherCells: async () =>
        (await apiDb.mappings.listCells())
          .filter((c) => c.uuid !== cell1.uuid && c.uuid !== CELL0_UUID)
          .map((c) => ({ cellUuid: c.uuid, cellDb: other.cell })),
      clock,
      logger,
      config: { DEFAULT: { host: "sched-1" }, scheduler: { discover_hosts_in_cells_interval: 60 } },
    });
    await svc.start();
    cleanup.push(() => svc.stop());
    const cell2 = await apiDb.mappings.createCell({
      name: "cell2",
      transport_url: "fake://cell2",
      database_connection: other.cell.db.options.connection,
    });
    await addComputeHost(other.cell, "cpu-b", { vcpus: 4, memory_mb: 4096, local_gb: 40 });
    await clock.advance(60_000);
    await expect
      .poll(() => logger.records.find((e) => e.message === "scheduler cells reloaded")?.fields)
      .toMatchObject({ added: [cell2.uuid] });
  });
});
