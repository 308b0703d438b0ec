// select_destinations through the scheduler service (fake:// bus, SQLite or MariaDB cell database): requests
// with a claim each, 20 in flight, against a baseline measured in the same run that schedules the way Nova
// does it, re-reading every compute node and service from the database for each request.
// Usage: npx tsx bench/scheduler-service/run.ts [--hosts 100] [--requests 300] [--in-flight 20] [--backend sqlite|mariadb]
// (No compute reports during the run, so service_down_time is raised: a slow run must not see hosts go down.)

import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@nova/core";
import { type CellDatabase, openCellDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { type RequestSpec, RequestSpecCodec } from "@nova/objects";
import { adminContext, SchedulerAPI } from "@nova/rpcapi";
import { HostManager, parseSchedulerConfig, Scheduler } from "@nova/scheduler";
import { createTestDatabase } from "@nova/testing";
import { hostInputFrom } from "../../packages/scheduler-service/src/host-input.js";
import { createSchedulerService } from "../../packages/scheduler-service/src/index.js";
import {
  instanceResources,
  schedulerRequestFrom,
} from "../../packages/scheduler-service/src/request-spec-mapping.js";
import captured from "../../packages/scheduler-service/test/fixtures/nova-rpc/002_call_scheduler_select_destinations.json" with {
  type: "json",
};

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const HOSTS = Number(arg("hosts", "100"));
const REQUESTS = Number(arg("requests", "300"));
const BACKEND = arg("backend", "sqlite");
const IN_FLIGHT = Number(arg("in-flight", "20"));
const CELL = "d30f6bb6-3686-4e6c-8e1e-3c008ad31bb6";

async function freshCell(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (BACKEND === "mariadb") {
    const db = await createTestDatabase("benchsched");
    return { url: db.url, drop: db.dispose };
  }
  const path = join(tmpdir(), `nova-bench-sched-${randomBytes(6).toString("hex")}.db`);
  return {
    url: `sqlite:///${path}`,
    drop: async () => {
      for (const s of ["", "-wal", "-shm"]) rmSync(`${path}${s}`, { force: true });
    },
  };
}

async function populate(cell: CellDatabase): Promise<void> {
  await cell.sync();
  for (let i = 0; i < HOSTS; i++) {
    const host = `cpu-${String(i).padStart(4, "0")}`;
    const svc = await cell.services.create({ host, binary: "nova-compute", topic: "compute" });
    await cell.services.heartbeat(svc.id);
    await cell.computeNodes.create({
      host,
      hypervisor_hostname: host,
      vcpus: 64,
      memory_mb: 262144,
      local_gb: 4000,
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      service_id: svc.id,
      cpu_allocation_ratio: 4,
      ram_allocation_ratio: 1,
      disk_allocation_ratio: 1,
      stats: { num_instances: "0", io_workload: "0" },
    });
  }
}

const baseSpec = RequestSpecCodec.fromPrimitive(captured.oslo_message.args.spec_obj) as Partial<RequestSpec>;
const specOf = (i: number): Partial<RequestSpec> => ({
  ...baseSpec,
  instance_uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
});

async function drive(
  run: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = new Array(REQUESTS);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const t = performance.now();
      await run(i);
      latencies[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function service(): Promise<{ latencies: number[]; seconds: number; lost: number }> {
  const { url, drop } = await freshCell();
  const cell = openCellDatabase(url);
  await populate(cell);
  const broker = new FakeBroker();
  const serverT = new Transport("fake://", { fakeBroker: broker });
  const clientT = new Transport("fake://", { fakeBroker: broker });
  const svc = createSchedulerService({
    transport: serverT,
    cellDb: cell,
    clock: systemClock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    cellUuid: CELL,
    config: { DEFAULT: { host: "bench", service_down_time: 86400 } },
  });
  await svc.start();
  const api = new SchedulerAPI({ transport: clientT });
  const ctx = adminContext();
  const r = await drive((i) => api.selectDestinations(ctx, specOf(i), [specOf(i).instance_uuid!]));
  const lost = svc.manager.stats.lostClaims;
  await svc.stop();
  await clientT.close();
  await serverT.close();
  await cell.close();
  await drop();
  return { ...r, lost };
}

// Nova's way: every request re-reads all compute nodes and services, rebuilds the host states, schedules,
// then claims. In-process, without the bus, which only flatters the baseline.
async function reloadPerRequest(): Promise<{ latencies: number[]; seconds: number }> {
  const { url, drop } = await freshCell();
  const cell = openCellDatabase(url);
  await populate(cell);
  const config = parseSchedulerConfig({ service_down_time: 86400 });
  const r = await drive(async (i) => {
    const spec = schedulerRequestFrom(specOf(i), [specOf(i).instance_uuid!]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const [nodes, services] = await Promise.all([
        cell.computeNodes.list(),
        cell.services.list({ binary: "nova-compute" }),
      ]);
      const byHost = new Map(services.map((s) => [s.host, s]));
      const hosts = new HostManager();
      for (const n of nodes) {
        const s = byHost.get(n.host);
        if (s)
          hosts.upsertHost(
            hostInputFrom(n, { cellUuid: CELL, service: s, instances: [], placedSinceReport: 0 }),
          );
      }
      const sel = new Scheduler({ config, hosts }).selectDestinations(spec, { claim: false })
        .selections[0]![0]!;
      try {
        return await cell.computeNodes.claim(sel.compute_node_uuid, instanceResources(spec));
      } catch {
        // Lost a race with a concurrent request: read everything again.
      }
    }
    throw new Error("no claim after 10 attempts");
  });
  await cell.close();
  await drop();
  return r;
}

const ours = await service();
const base = await reloadPerRequest();
const line = (name: string, r: { latencies: number[]; seconds: number }) =>
  `${name.padEnd(34)} p50 ${pct(r.latencies, 50).toFixed(2).padStart(7)} ms  p95 ${pct(r.latencies, 95)
    .toFixed(2)
    .padStart(7)} ms  ${(REQUESTS / r.seconds).toFixed(0).padStart(6)} req/s`;
const firstLast = (r: { latencies: number[] }) => {
  const k = Math.max(1, Math.floor(REQUESTS / 5));
  return `first ${k}: p50 ${pct(r.latencies.slice(0, k), 50).toFixed(2)} ms, last ${k}: p50 ${pct(r.latencies.slice(-k), 50).toFixed(2)} ms`;
};
console.log(`select_destinations, ${HOSTS} hosts, ${REQUESTS} requests, ${IN_FLIGHT} in flight, ${BACKEND}`);
console.log(line("scheduler service (fake:// RPC)", ours), ` lost claims ${ours.lost}`);
console.log(line("baseline: reload per request", base));
console.log(`  service   ${firstLast(ours)}`);
console.log(`  baseline  ${firstLast(base)}`);
console.log(
  `ratio: ${(REQUESTS / ours.seconds / (REQUESTS / base.seconds)).toFixed(1)}x throughput, ${(pct(base.latencies, 50) / pct(ours.latencies, 50)).toFixed(1)}x p50`,
);
