// nova-scheduler as its own process with `[metrics] listen`: its /metrics serves the scheduler's decisions,
// the RPC it served and its database's query times and pool, under service="nova-scheduler".
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Transport } from "@nova/messaging";
import { adminContext, NoValidHost, SchedulerAPI } from "@nova/rpcapi";
import { freePort, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
let cluster: ProcessCluster;
let transport: Transport;
let metricsUrl: string;

beforeAll(async () => {
  cluster = await ProcessCluster.create({ root, prefix: "schedmetrics" });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await cluster.started(
    cluster.start("nova-scheduler", "scheduler", {
      OS_DEFAULT__HOST: "scheduler-m",
      OS_METRICS__LISTEN: `127.0.0.1:${port}`,
    }),
  );
  // Nova's exchange, as the apps configure it.
  transport = new Transport(cluster.vhost.transportUrl, { options: { control_exchange: "nova" } });
}, 120_000);

afterAll(async () => {
  await transport?.close();
  await cluster?.dispose();
}, 60_000);

describe("nova-scheduler's own /metrics", () => {
  it("counts a refused decision, the call it served and its database work", async () => {
    const uuid = randomUUID();
    // No compute has reported: the only answer is NoValidHost.
    const err = await new SchedulerAPI({ transport, rpcResponseTimeout: 20, longRpcTimeout: 30 })
      .selectDestinations(
        adminContext(),
        {
          instance_uuid: uuid,
          num_instances: 1,
          flavor: {
            flavorid: "1",
            name: "m1.tiny",
            memory_mb: 512,
            vcpus: 1,
            root_gb: 1,
            ephemeral_gb: 0,
            swap: 0,
          },
        },
        [uuid],
      )
      .catch((e: unknown) => e);
    if (!(err instanceof NoValidHost)) throw new Error(`${String(err)}\n${cluster.logs(6000)}`);
    const text = await (await fetch(metricsUrl)).text();
    const lines = text.split("\n");
    const line = (re: RegExp) => lines.find((l) => re.test(l));
    expect(
      line(/^nova_scheduler_decision_duration_seconds_count\{[^}]*outcome="no_valid_host"[^}]*\} 1$/),
    ).toContain('service="nova-scheduler"');
    expect(line(/^nova_scheduler_no_valid_host_total\{[^}]*\} 1$/)).toBeDefined();
    expect(
      line(
        /^nova_rpc_server_requests_total\{kind="call",topic="scheduler",method="select_destinations"[^}]*\} 1$/,
      ),
    ).toBeDefined();
    // MariaDB: the cell's pool is watched, and every connection checked out was given back.
    expect(line(/^nova_db_pool_connections_in_use\{database="cell"[^}]*\} 0$/)).toBeDefined();
    expect(
      line(/^nova_db_query_duration_seconds_count\{[^}]*method="computeNodes\.\w+"[^}]*\} [1-9]/),
    ).toBeDefined();
    expect(text).not.toContain(uuid);
  }, 60_000);
});
