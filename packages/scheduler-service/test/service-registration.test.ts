// The scheduler's service row and heartbeat through a real nova-conductor (in process, fake:// transport,
// SQLite): the scheduler serves before any conductor answers, registers once one does, and heartbeats.

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ConductorService, createConductorService } from "@nova/conductor";
import { silentLogger, systemClock } from "@nova/core";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { FakeBroker, Transport } from "@nova/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedulerService, SCHEDULER_BINARY, type SchedulerService } from "../src/index.js";

const files: string[] = [];
const sqlite = (name: string) => {
  const path = join(tmpdir(), `nova-schedreg-${name}-${randomBytes(6).toString("hex")}.db`);
  files.push(path);
  return `sqlite:///${path}`;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("nova-scheduler's service row, kept through the conductor", () => {
  const broker = new FakeBroker();
  const transports: Transport[] = [];
  let apiDb: ApiDatabase;
  let cellDb: CellDatabase;
  let cellUuid: string;
  let scheduler: SchedulerService;
  let conductor: ConductorService | undefined;

  const transport = () => {
    const t = new Transport("fake://", { fakeBroker: broker });
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    apiDb = openApiDatabase(sqlite("api"));
    cellDb = openCellDatabase(sqlite("cell"));
    await apiDb.sync();
    await cellDb.sync();
    cellUuid = (
      await apiDb.mappings.createCell({
        name: "cell1",
        transport_url: "fake://",
        database_connection: cellDb.db.options.connection,
      })
    ).uuid;
  });

  afterAll(async () => {
    await scheduler?.stop();
    await conductor?.stop();
    for (const t of transports) await t.close();
    await apiDb.close();
    await cellDb.close();
    for (const f of files) for (const s of ["", "-wal", "-shm"]) rmSync(`${f}${s}`, { force: true });
  });

  it("serves before a conductor answers, then registers and heartbeats once one does", async () => {
    scheduler = createSchedulerService({
      transport: transport(),
      cellDb,
      cellUuid,
      clock: systemClock,
      logger: silentLogger,
      config: { DEFAULT: { host: "sched-1", report_interval: "1", service_down_time: "3" } },
      serviceRegistration: { rpcResponseTimeout: 1 },
    });
    // No conductor yet: start() must not wait for one.
    await scheduler.start();
    expect(scheduler.registration?.service).toBeUndefined();
    expect(await cellDb.services.list({ binary: SCHEDULER_BINARY })).toEqual([]);

    conductor = createConductorService({
      transport: transport(),
      apiDb,
      cellDb,
      clock: systemClock,
      logger: silentLogger,
      config: { host: "cond-1", report_interval: 1, service_down_time: 3, cell_uuid: cellUuid },
    });
    await conductor.start();

    const row = await scheduler.registration!.whenRegistered();
    expect(row).toMatchObject({ host: "sched-1", binary: "nova-scheduler", topic: "scheduler" });
    const beating = await until("two recorded heartbeats", async () => {
      const [s] = await cellDb.services.list({ binary: SCHEDULER_BINARY });
      return s && s.report_count >= 2 ? s : undefined;
    });
    expect(beating).toMatchObject({ id: row.id, host: "sched-1", topic: "scheduler" });
    expect(beating.last_seen_up).toBeInstanceOf(Date);
  });

  it("finds its row again after a restart instead of creating another", async () => {
    await scheduler.stop();
    scheduler = createSchedulerService({
      transport: transport(),
      cellDb,
      cellUuid,
      clock: systemClock,
      logger: silentLogger,
      config: { DEFAULT: { host: "sched-1", report_interval: "1", service_down_time: "3" } },
      serviceRegistration: { rpcResponseTimeout: 5 },
    });
    await scheduler.start();
    const before = (await cellDb.services.list({ binary: SCHEDULER_BINARY }))[0]!;
    const row = await scheduler.registration!.whenRegistered();
    expect(row.id).toBe(before.id);
    await until("a heartbeat after the restart", async () => {
      const rows = await cellDb.services.list({ binary: SCHEDULER_BINARY });
      return rows.length === 1 && rows[0]!.report_count > before.report_count ? true : undefined;
    });
  });
});
