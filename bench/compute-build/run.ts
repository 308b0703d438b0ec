// bench/compute-build: what one nova-compute costs per build, over the real RabbitMQ (own vhost).
// Builds N guests (fake driver) through ComputeAPI.buildAndRunInstance with C in flight, against an in-memory
// conductor, then deletes them; beside it, the baseline of the same run: N bare RPC calls (an echo endpoint)
// with the same concurrency over the same broker. A build is one call plus three conductor calls
// (event_start, the claiming Instance.save, event_finish) and one fanout, so ~4 round trips is the floor.
//
//   npx tsx bench/compute-build/run.ts [--count 200] [--concurrency 20]
import { parseArgs } from "node:util";
import { createComputeService } from "@nova/compute";
import { FakeConductor, novaInstance } from "@nova/compute/test";
import { RpcServer, Transport } from "@nova/messaging";
import { adminContext, ComputeAPI, makeRpcClient, toWireContext } from "@nova/rpcapi";
import { createTestVhost } from "@nova/testing";
import { FakeDriver } from "@nova/virt";

const { values: opts } = parseArgs({
  options: { count: { type: "string", default: "200" }, concurrency: { type: "string", default: "20" } },
});
const count = Number(opts.count);
const concurrency = Number(opts.concurrency);

async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      await job(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return latencies;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const vhost = await createTestVhost("bench-compute");
const computeT = new Transport(vhost.transportUrl);
const peerT = new Transport(vhost.transportUrl);
const callerT = new Transport(vhost.transportUrl);
try {
  const conductor = new FakeConductor(peerT);
  await conductor.start();
  const echo = new RpcServer(peerT, { topic: "bench-echo", server: "e1" }, [
    { version: "1.0", methods: { echo: (_ctx, args) => args } },
  ]);
  await echo.start();
  const driver = new FakeDriver();
  const compute = createComputeService({ host: "bench-cpu", transport: computeT, driver });
  await compute.start();
  const api = new ComputeAPI({ transport: callerT, rpcResponseTimeout: 60 });
  const ctx = adminContext({ user_id: "bench", project_id: "bench" });
  const echoClient = makeRpcClient({ transport: callerT, rpcResponseTimeout: 60 }, "bench-echo", "1.0");

  // Warm both paths (queues declared, connections up) before measuring.
  await echoClient.call(toWireContext(ctx), "echo", { n: -1 });
  const warm = conductor.seedInstance(novaInstance());
  await api.buildAndRunInstance(ctx, "bench-cpu", {
    instance: warm,
    image: {},
    request_spec: {},
    node: "bench-cpu",
  });

  const t0 = performance.now();
  const baseline = await pool(count, concurrency, (i) =>
    echoClient.call(toWireContext(ctx), "echo", { n: i }),
  );
  const baselineS = (performance.now() - t0) / 1000;

  const rows = Array.from({ length: count }, () => conductor.seedInstance(novaInstance()));
  const t1 = performance.now();
  const builds = await pool(count, concurrency, (i) =>
    api.buildAndRunInstance(ctx, "bench-cpu", {
      instance: rows[i]!,
      image: {},
      request_spec: {},
      node: "bench-cpu",
    }),
  );
  const buildS = (performance.now() - t1) / 1000;

  const t2 = performance.now();
  for (const r of rows) {
    Object.assign(conductor.instances.get(r.uuid!)!, { task_state: "deleting" });
    await api.terminateInstance(ctx, "bench-cpu", conductor.instance(r.uuid!)!);
  }
  while (driver.guests().length > 1 || rows.some((r) => conductor.instances.has(r.uuid!))) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const deleteS = (performance.now() - t2) / 1000;
  await compute.stop();
  await echo.stop();
  await conductor.stop();

  const f = (x: number) => x.toFixed(1);
  console.log(`compute-build: ${count} builds, ${concurrency} in flight, rabbit vhost ${vhost.name}`);
  console.log("| figure | bare RPC call (baseline) | build_and_run_instance | ratio |");
  console.log("|---|---|---|---|");
  console.log(
    `| p50 latency ms | ${f(pct(baseline, 50))} | ${f(pct(builds, 50))} | ${(pct(builds, 50) / pct(baseline, 50)).toFixed(2)} |`,
  );
  console.log(
    `| p95 latency ms | ${f(pct(baseline, 95))} | ${f(pct(builds, 95))} | ${(pct(builds, 95) / pct(baseline, 95)).toFixed(2)} |`,
  );
  console.log(
    `| per second | ${f(count / baselineS)} | ${f(count / buildS)} | ${(count / buildS / (count / baselineS)).toFixed(2)} |`,
  );
  console.log(`deletes (terminate casts until every row is destroyed): ${f(count / deleteS)}/s`);
} finally {
  await computeT.close();
  await peerT.close();
  await callerT.close();
  await vhost.dispose();
}
