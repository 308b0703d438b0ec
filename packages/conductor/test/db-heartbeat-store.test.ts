import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { openCellDatabase } from "@nova/db";
import { withImmediateRetries } from "@nova/db/test";
import {
  DownServiceMonitor,
  HeartbeatRecorder,
  isServiceUp,
  ServiceNotFoundError,
  type ServiceRecord,
} from "@nova/servicegroup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbHeartbeatStore } from "../src/db-heartbeat-store.js";
import { type Backend, type Databases, openDatabases } from "./support.js";

const START = Date.UTC(2026, 10, 27, 12, 0, 0);

for (const backend of ["sqlite", "mariadb"] as Backend[]) {
  describe(`DbHeartbeatStore on ${backend}`, () => {
    let dbs: Databases;
    let clock: FakeClock;
    let store: DbHeartbeatStore;

    beforeAll(async () => {
      clock = new FakeClock(START);
      dbs = await openDatabases(backend, clock);
      store = new DbHeartbeatStore(dbs.cellDb);
      for (let i = 0; i < 30; i++) {
        await store.ensureService(
          { host: `cpu-${i}`, binary: "nova-compute", topic: "compute" },
          clock.now(),
        );
      }
    });
    afterAll(() => dbs.dispose());

    it("records a window of heartbeats in one write and answers each with the stored time", async () => {
      const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, batchWindowMs: 50 });
      const before = store.counters.heartbeatWrites;
      clock.set(START + 5_250);
      const replies = Array.from({ length: 30 }, (_, i) =>
        recorder.record({ host: `cpu-${i}`, binary: "nova-compute", reportCount: 10 + i }),
      );
      const ghost = recorder.record({ host: "ghost", binary: "nova-compute", reportCount: 1 });
      ghost.catch(() => undefined);
      await clock.advance(50);
      const recorded = await Promise.all(replies);
      await expect(ghost).rejects.toBeInstanceOf(ServiceNotFoundError);
      expect(store.counters.heartbeatWrites - before).toBe(1);
      // Whole seconds, as the DATETIME column keeps them.
      expect(new Set(recorded.map((r) => r.lastSeenUp))).toEqual(new Set([START + 5_000]));
      const rows = await store.listServices({ binary: "nova-compute" });
      expect(rows.map((r) => r.reportCount)).toEqual(Array.from({ length: 30 }, (_, i) => 10 + i));
      expect(rows.every((r) => r.lastSeenUp === START + 5_000)).toBe(true);

      // An older report_count (a retry arriving late) never moves the counter back.
      const late = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 3 });
      await clock.advance(50);
      await late;
      expect((await dbs.cellDb.services.getByHostAndBinary("cpu-0", "nova-compute")).report_count).toBe(10);
    });

    it("marks stale services down once, even with two conductors checking, and a heartbeat brings one back", async () => {
      const other = openCellDatabase(urlOf(dbs), { clock: withImmediateRetries(clock) });
      try {
        const secondStore = new DbHeartbeatStore(other);
        const notified: string[] = [];
        const notifier = {
          serviceUpdate: (s: ServiceRecord, change: string) => {
            notified.push(`${s.host}:${change}`);
          },
        };
        const config = { serviceDownTime: 60, reportInterval: 10 };
        const a = new DownServiceMonitor({ store, clock, config, logger: silentLogger, notifier });
        const b = new DownServiceMonitor({
          store: secondStore,
          clock,
          config,
          logger: silentLogger,
          notifier,
        });
        // cpu-0..29 were heard from at START+5s; keep cpu-1 alive.
        clock.set(START + 50_000);
        const recorder = new HeartbeatRecorder({
          store,
          clock,
          logger: silentLogger,
          batchWindowMs: 0,
          notifier,
        });
        const alive = recorder.record({ host: "cpu-1", binary: "nova-compute", reportCount: 100 });
        await clock.advance(0);
        await alive;
        clock.set(START + 70_000);
        const [downA, downB] = await Promise.all([a.check(), b.check()]);
        expect(downA.length + downB.length).toBe(29);
        expect(new Set([...downA, ...downB]).size).toBe(29);
        expect(notified.filter((n) => n.endsWith(":down"))).toHaveLength(29);
        expect(notified).not.toContain("cpu-1:down");
        expect(await a.check()).toEqual([]);

        const back = recorder.record({ host: "cpu-2", binary: "nova-compute", reportCount: 200 });
        await clock.advance(0);
        await back;
        await recorder.flush(); // the "up" notification follows the reply
        expect(notified.at(-1)).toBe("cpu-2:up");
        const rows = await store.listServices();
        expect(rows.find((r) => r.host === "cpu-2")?.recordedDown).toBe(false);
        expect(rows.find((r) => r.host === "cpu-3")?.recordedDown).toBe(true);
      } finally {
        await other.close();
      }
    });

    it("records a service down as soon as it reads down, though stamps are whole seconds", async () => {
      await store.ensureService({ host: "edge-1", binary: "nova-compute", topic: "compute" }, clock.now());
      const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, batchWindowMs: 0 });
      clock.set(START + 100_000);
      const beat = recorder.record({ host: "edge-1", binary: "nova-compute", reportCount: 1 });
      await clock.advance(0);
      await beat;
      const monitor = new DownServiceMonitor({
        store,
        clock,
        config: { serviceDownTime: 3, reportInterval: 1 },
        logger: silentLogger,
      });
      const edge = async () => (await store.listServices()).find((r) => r.host === "edge-1")!;
      // Exactly service_down_time old: still up, not recorded down.
      clock.set(START + 103_000);
      expect(isServiceUp(await edge(), clock.now(), 3)).toBe(true);
      expect(await monitor.check()).not.toContain("nova-compute@edge-1");
      // Half a second later it reads down, and the check records it then, not at the next whole second.
      clock.set(START + 103_500);
      expect(isServiceUp(await edge(), clock.now(), 3)).toBe(false);
      expect(await monitor.check()).toContain("nova-compute@edge-1");
    });
  });
}

function urlOf(dbs: Databases): string {
  const t = dbs.cellDb.db.target;
  if (t.dialect === "sqlite") return `sqlite:///${t.path}`;
  return `mysql+pymysql://${t.user}@${t.host}:${t.port}/${t.database}`;
}
