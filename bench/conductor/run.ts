// Heartbeats recorded by the conductor: N computes report at once (as after a broker reconnect, or every
// report_interval on a big cell). Baseline, measured in the same run: Nova's way, one Service.save (a
// read and an UPDATE in a transaction) per report. Ours: HeartbeatRecorder batching into DbHeartbeatStore.
// Usage: npx tsx bench/conductor/run.ts [N]   (default 2000; SQLite file and MariaDB at 127.0.0.1:3306)
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DbHeartbeatStore } from "@nova/conductor";
import { silentLogger, systemClock } from "@nova/core";
import { type CellDatabase, openCellDatabase } from "@nova/db";
import { HeartbeatRecorder } from "@nova/servicegroup";
import { createTestDatabase } from "@nova/testing";

const N = Number(process.argv[2] ?? 2000);

async function withCell<T>(
  backend: "sqlite" | "mariadb",
  fn: (cell: CellDatabase) => Promise<T>,
): Promise<T> {
  let url: string;
  let dispose: () => Promise<void>;
  if (backend === "mariadb") {
    const db = await createTestDatabase("bench_cond");
    url = db.url;
    dispose = db.dispose;
  } else {
    const path = join(tmpdir(), `nova-bench-cond-${randomBytes(4).toString("hex")}.db`);
    url = `sqlite:///${path}`;
    dispose = async () => {
      for (const s of ["", "-wal", "-shm"]) rmSync(`${path}${s}`, { force: true });
    };
  }
  const cell = openCellDatabase({ connection: url, max_pool_size: 10 });
  try {
    await cell.sync();
    return await fn(cell);
  } finally {
    await cell.close();
    await dispose();
  }
}

async function run(backend: "sqlite" | "mariadb") {
  return withCell(backend, async (cell) => {
    const store = new DbHeartbeatStore(cell);
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const s = await store.ensureService(
        { host: `cpu-${i}`, binary: "nova-compute", topic: "compute" },
        Date.now(),
      );
      void s;
    }
    for (const s of await cell.services.list()) ids.push(s.id);

    // Baseline: one Service.save per report (Nova's conductor: service_update per object_action).
    let t = performance.now();
    await Promise.all(ids.map((id) => cell.services.update(id, { report_count: 1 })));
    const baselineMs = performance.now() - t;

    const recorder = new HeartbeatRecorder({
      store,
      clock: systemClock,
      logger: silentLogger,
      batchWindowMs: 20,
      maxBatch: 500,
    });
    const before = store.counters.heartbeatWrites;
    t = performance.now();
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        recorder.record({ host: `cpu-${i}`, binary: "nova-compute", reportCount: 2 }),
      ),
    );
    const batchedMs = performance.now() - t;
    const writes = store.counters.heartbeatWrites - before;
    return { backend, baselineMs, batchedMs, writes };
  });
}

console.log(`${N} heartbeats arriving together`);
console.log("backend  | Nova-style (1 save each) | batched (ours)          | write txns | speed-up");
for (const backend of ["sqlite", "mariadb"] as const) {
  const r = await run(backend);
  const rate = (ms: number) => `${Math.round((N / ms) * 1000)}/s`.padEnd(9);
  console.log(
    `${backend.padEnd(8)} | ${r.baselineMs.toFixed(0).padStart(6)} ms ${rate(r.baselineMs)}      | ${r.batchedMs
      .toFixed(0)
      .padStart(
        6,
      )} ms ${rate(r.batchedMs)}     | ${String(r.writes).padStart(4)} vs ${N} | ${(r.baselineMs / r.batchedMs).toFixed(1)}x`,
  );
}
