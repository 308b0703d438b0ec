// The benchmark's nova-conductor, in its own process so its CPU is measured apart from the simulated computes.
// Driven over IPC by run.ts: "start" (answers "ready"), "stats" (answers its counters), "stop".

import { createConductorService } from "@nova/conductor";
import { silentLogger, systemClock } from "@nova/core";
import { openApiDatabase, openCellDatabase } from "@nova/db";
import { Notifier, Transport } from "@nova/messaging";

interface StartMessage {
  kind: "start";
  transportUrl: string;
  apiUrl: string;
  cellUrl: string;
  reportInterval: number;
  serviceDownTime: number;
  pool: number;
  heartbeatPool: number;
  writes: number;
}

const send = (msg: unknown) => process.send?.(msg);

async function main(init: StartMessage) {
  const transport = new Transport(init.transportUrl, { options: { control_exchange: "nova" } });
  const apiDb = openApiDatabase(init.apiUrl);
  const cellDb = openCellDatabase({ connection: init.cellUrl, max_pool_size: 10 });
  const conductor = createConductorService({
    transport,
    apiDb,
    cellDb,
    clock: systemClock,
    logger: silentLogger,
    notifier: new Notifier(transport),
    config: {
      host: "bench-conductor",
      report_interval: init.reportInterval,
      service_down_time: init.serviceDownTime,
      executor_thread_pool_size: init.pool,
      heartbeat_pool_size: init.heartbeatPool,
      heartbeat_max_concurrent_writes: init.writes,
    },
  });
  await conductor.start();
  send({ kind: "ready" });
  process.on("message", (msg: { kind: string }) => {
    if (msg.kind === "stats") {
      send({
        kind: "stats",
        cpu: process.cpuUsage(),
        at: performance.now(),
        ...conductor.heartbeatStore.counters,
      });
    } else if (msg.kind === "stop") {
      void (async () => {
        await conductor.stop();
        await transport.close();
        await Promise.all([apiDb.close(), cellDb.close()]);
        send({ kind: "stopped" });
        process.disconnect?.();
      })();
    }
  });
}

process.once("message", (msg: StartMessage) => {
  main(msg).catch((err: unknown) => {
    send({ kind: "error", error: String(err) });
    process.exit(1);
  });
});
