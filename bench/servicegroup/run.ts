// Issue 5's scale proof: N simulated nova-computes in this process report Service.save heartbeats every
// report_interval (spread across it) over the real RabbitMQ to one nova-conductor running in a child process
// (so its CPU is its own), which records them in batches into MariaDB and checks for down services.
// Prints reports/s handled, report round trip (p50/p99), conductor CPU, database writes/s and false downs.
// Usage: npx tsx bench/servicegroup/run.ts [--computes 1000] [--seconds 180] [--interval 10] [--down-time 60]
//   [--pool 64] [--heartbeat-pool 2048] [--writes 4]

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DbHeartbeatStore } from "@nova/conductor";
import { silentLogger, systemClock } from "@nova/core";
import { openApiDatabase, openCellDatabase } from "@nova/db";
import { NotificationListener, Transport } from "@nova/messaging";
import { adminContext, ConductorAPI } from "@nova/rpcapi";
import {
  createDbDriver,
  isServiceUp,
  parseServiceGroupConfig,
  ServiceGroup,
  ServiceSaveHeartbeatSender,
} from "@nova/servicegroup";
import { createTestDatabase, createTestVhost } from "@nova/testing";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const N = arg("computes", 1000);
const SECONDS = arg("seconds", 180);
const INTERVAL = arg("interval", 10);
const DOWN_TIME = arg("down-time", 60);
/** The conductor's executor_thread_pool_size: how many RPC requests it runs at once (default 64). */
const POOL = arg("pool", 64);
/** The conductor's heartbeat_pool_size: heartbeats handled at once, apart from the pool above. */
const HEARTBEAT_POOL = arg("heartbeat-pool", 2048);
/** The conductor's heartbeat_max_concurrent_writes. */
const WRITES = arg("writes", 4);

interface ConductorStats {
  kind: "stats";
  cpu: NodeJS.CpuUsage;
  at: number;
  heartbeatWrites: number;
  downWrites: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const vhost = await createTestVhost("bench_sg");
  const [api, cell] = await Promise.all([
    createTestDatabase("bench_sg_api"),
    createTestDatabase("bench_sg_cell"),
  ]);
  const apiDb = openApiDatabase(api.url);
  const cellDb = openCellDatabase({ connection: cell.url, max_pool_size: 10 });
  const transport = new Transport(vhost.transportUrl, { options: { control_exchange: "nova" } });
  const listenerTransport = new Transport(vhost.transportUrl, { options: { control_exchange: "nova" } });
  let child: ReturnType<typeof fork> | undefined;
  try {
    await Promise.all([apiDb.sync(), cellDb.sync()]);
    await apiDb.mappings.createCell({
      name: "cell1",
      transport_url: vhost.transportUrl,
      database_connection: cell.url,
    });
    // Setup, not measured: each compute's service row (a real compute gets or creates it at start).
    const rows: { id: number; host: string }[] = [];
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: Math.min(50, N - i) }, (_, k) => `cpu-${i + k}`);
      const created = await Promise.all(
        batch.map((host) => cellDb.services.create({ host, binary: "nova-compute", topic: "compute" })),
      );
      for (const s of created) rows.push({ id: s.id, host: String(s.host) });
    }

    child = fork(fileURLToPath(new URL("./conductor.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const conductorProc = child;
    const replies: Array<(msg: { kind: string }) => void> = [];
    conductorProc.on("message", (msg: { kind: string; error?: string }) => {
      if (msg.kind === "error") throw new Error(`conductor failed: ${msg.error}`);
      replies.shift()?.(msg);
    });
    const ask = <T>(msg: object): Promise<T> =>
      new Promise((resolve) => {
        replies.push(resolve as (m: { kind: string }) => void);
        conductorProc.send(msg);
      });
    await ask({
      kind: "start",
      transportUrl: vhost.transportUrl,
      apiUrl: api.url,
      cellUrl: cell.url,
      reportInterval: INTERVAL,
      serviceDownTime: DOWN_TIME,
      pool: POOL,
      heartbeatPool: HEARTBEAT_POOL,
      writes: WRITES,
    });

    // False downs: any service.update saying a compute is down (none of them ever stops here).
    const downNotified = new Set<string>();
    const listener = new NotificationListener(listenerTransport, (n) => {
      const data = (n.payload as { "nova_object.data"?: { host?: string; is_up?: boolean } })[
        "nova_object.data"
      ];
      if (n.eventType === "service.update" && data?.is_up === false) downNotified.add(String(data.host));
    });
    await listener.start();

    const conductorApi = new ConductorAPI({ transport, rpcResponseTimeout: 60, longRpcTimeout: 1800 });
    const ctx = adminContext();
    const senders = new Map(
      rows.map((r) => [
        r.host,
        new ServiceSaveHeartbeatSender(
          (objinst, objmethod) => conductorApi.objectAction(ctx, objinst, objmethod),
          {
            id: r.id,
            host: r.host,
            binary: "nova-compute",
            topic: "compute",
            report_count: 0,
            disabled: false,
            forced_down: false,
          },
        ),
      ]),
    );
    let measuring = false;
    const latencies: number[] = [];
    let failed = 0;
    const config = parseServiceGroupConfig({ report_interval: INTERVAL, service_down_time: DOWN_TIME });
    const group = new ServiceGroup({
      config,
      clock: systemClock,
      logger: silentLogger,
      driver: createDbDriver({
        sender: {
          async sendReport(service, report) {
            const t = performance.now();
            try {
              const recorded = await senders.get(service.host)!.sendReport(service, report);
              if (measuring) latencies.push(performance.now() - t);
              return recorded;
            } catch (err) {
              if (measuring) failed++;
              throw err;
            }
          },
        },
      }),
    });
    const store = new DbHeartbeatStore(cellDb);
    // The fleet was running before this process: heard from just now, so the spread-out first reports are
    // not late (setup took longer than service_down_time at 10,000 rows).
    await cellDb.db.run((db) =>
      db
        .updateTable("services")
        .set({ last_seen_up: new Date().toISOString().slice(0, 19).replace("T", " ") })
        .where("binary", "=", "nova-compute")
        .execute(),
    );
    rows.forEach((r, i) => {
      group.join(
        { host: r.host, binary: "nova-compute", topic: "compute" },
        { initialDelayMs: (i / N) * INTERVAL * 1000 },
      );
    });

    // Every compute is checked every few seconds by the rule a reader applies, and by the recorded flag.
    const seenDown = new Set<string>();
    let checks = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await pause(5000);
        const now = Date.now();
        for (const s of await store.listServices({ binary: "nova-compute" })) {
          if (s.recordedDown || !isServiceUp(s, now, DOWN_TIME)) seenDown.add(s.host);
        }
        checks++;
      }
    })();

    // Warm up for one interval (every compute has reported once), then measure.
    await pause(INTERVAL * 1000 + 1000);
    const cpuComputes0 = process.cpuUsage();
    const s0 = await ask<ConductorStats>({ kind: "stats" });
    const t0 = performance.now();
    measuring = true;
    await pause(SECONDS * 1000);
    measuring = false;
    const s1 = await ask<ConductorStats>({ kind: "stats" });
    const wall = (performance.now() - t0) / 1000;
    const cpuComputes = process.cpuUsage(cpuComputes0);
    watching = false;
    await watcher;

    const cpuSec = (s1.cpu.user - s0.cpu.user + s1.cpu.system - s0.cpu.system) / 1e6;
    const conductorWall = (s1.at - s0.at) / 1000;
    const writes = s1.heartbeatWrites - s0.heartbeatWrites + (s1.downWrites - s0.downWrites);
    const reports = latencies.length;
    latencies.sort((a, b) => a - b);
    const recordedDown = (await store.listServices({ binary: "nova-compute" })).filter((s) => s.recordedDown);
    const falseDowns = new Set([...seenDown, ...downNotified, ...recordedDown.map((s) => s.host)]);
    const f = (x: number, d = 1) => x.toFixed(d);
    console.log(
      `servicegroup bench: ${N} computes, report_interval ${INTERVAL} s, service_down_time ${DOWN_TIME} s,`,
    );
    console.log(
      `  conductor: executor pool ${POOL}, heartbeat pool ${HEARTBEAT_POOL}, ${WRITES} batch writes in flight at most`,
    );
    console.log(
      `  measured ${f(wall)} s after a ${INTERVAL + 1} s warm-up (real RabbitMQ, MariaDB, conductor in a child process)`,
    );
    console.log(
      `reports/s handled:       ${f(reports / wall)} (offered ${f(N / INTERVAL)}; ${failed} failed)`,
    );
    console.log(
      `report round trip:       p50 ${f(percentile(latencies, 50))} ms, p99 ${f(percentile(latencies, 99))} ms, max ${f(latencies.at(-1) ?? Number.NaN)} ms`,
    );
    console.log(
      `conductor CPU:           ${f(cpuSec / conductorWall, 3)} cores (${f((100 * cpuSec) / conductorWall)} % of one core)`,
    );
    console.log(
      `computes' process CPU:   ${f((cpuComputes.user + cpuComputes.system) / 1e6 / wall, 3)} cores`,
    );
    console.log(
      `database writes/s:       ${f(writes / wall)} (${f(reports / Math.max(1, s1.heartbeatWrites - s0.heartbeatWrites))} reports per heartbeat write)`,
    );
    console.log(
      `false downs:             ${falseDowns.size} (over ${checks} checks of every compute, ${downNotified.size} down notifications)`,
    );

    await group.leaveAll();
    await listener.stop();
    await ask({ kind: "stop" });
  } finally {
    child?.kill();
    await transport.close();
    await listenerTransport.close();
    await Promise.all([apiDb.close(), cellDb.close()]);
    await Promise.all([api.dispose(), cell.dispose()]);
    // The management API has been seen refusing right after a 10,000-compute run: retry, then say so.
    for (let attempt = 1; ; attempt++) {
      try {
        await vhost.dispose();
        break;
      } catch (err) {
        if (attempt === 5) {
          console.error(`could not delete vhost ${vhost.name}: ${String(err)}`);
          break;
        }
        await pause(2000);
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
