// nova-console beside separate services over RabbitMQ and MariaDB: a boot's five steps, as the broker's firehose
// showed them, on the console's JSON endpoint and its server-sent events; and nova-api's metrics of the cell
// databases it reads (the `cell` label).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import type { ConsoleSnapshot, Flow } from "@nova/console";
import { CLUSTER_IMAGE_ID, freePort, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const BOOT = [
  "cast schedule_and_build_instances",
  "call select_destinations",
  "reply select_destinations",
  "call build_and_run_instance",
  "reply build_and_run_instance",
];

let cluster: ProcessCluster;
let client: ComputeClient;
let consoleUrl: string;
let apiMetricsUrl: string;

beforeAll(async () => {
  const consolePort = await freePort();
  const apiMetricsPort = await freePort();
  cluster = await ProcessCluster.create({
    root,
    prefix: "console",
    conf: {
      DEFAULT: { report_interval: 1, service_down_time: 10, rpc_response_timeout: 20 },
      fake: { vcpus: 8, memory_mb: 8192, local_gb: 200 },
      // The test reads the JSON endpoint only: a stub page spares it the page's vite build.
      console: { listen: `127.0.0.1:${consolePort}` },
    },
  });
  const uiDir = join(cluster.dir, "console-ui");
  mkdirSync(uiDir);
  writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>console</title>");
  // What an operator runs once per vhost: `rabbitmqctl trace_on -p <vhost>`.
  await cluster.vhost.setTracing(true);
  await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
  const env = (host: string) => ({ OS_DEFAULT__HOST: host, OS_CONSOLE__UI_DIR: uiDir });
  // The compute's first conductor call waits for an answer: conductor and scheduler first keep the test short.
  await Promise.all([
    cluster.started(cluster.start("nova-conductor", "conductor", env("conductor-1"))),
    cluster.started(cluster.start("nova-scheduler", "scheduler", env("scheduler-1"))),
  ]);
  cluster.start("nova-compute", "compute-1", env("compute-1"));
  cluster.start("nova-api", "api", {
    ...env("api-1"),
    OS_METRICS__LISTEN: `127.0.0.1:${apiMetricsPort}`,
  });
  apiMetricsUrl = `http://127.0.0.1:${apiMetricsPort}/metrics`;
  const console_ = cluster.start("nova-console", "console", env("console-1"));
  await cluster.started(console_);
  consoleUrl = `http://127.0.0.1:${consolePort}/`;
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  await cluster.until("compute-1 up", async () => {
    const [s] = await client.listServices({ binary: "nova-compute", host: "compute-1" });
    return s?.state === "up" ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
}, 60_000);

/** The steps of a flow as `<kind> <method>`. */
const names = (flow: Flow) => flow.steps.map((s) => `${s.kind} ${s.method}`);

/** True when the flow holds the boot's five steps, each finished. */
function bootDone(flow: Flow): boolean {
  return BOOT.every((b) => flow.steps.some((s) => `${s.kind} ${s.method}` === b && s.duration_ms !== null));
}

describe("nova-console over separate services", () => {
  it("shows a boot's five steps, from the broker's firehose, on /api/state and /events", async () => {
    // Listen to the event stream while the server boots: flows arrive as the broker traces them.
    const events = new AbortController();
    const stream = await fetch(new URL("events", consoleUrl), { signal: events.signal });
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const reader = stream.body!.getReader();
    let text = "";
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();

    const created = await client.createServer({
      name: "watched",
      flavorRef: "1",
      imageRef: CLUSTER_IMAGE_ID,
    });
    await client.waitForServerStatus(created.id, "ACTIVE", { timeoutMs: 60_000, intervalMs: 250 });

    const flow = await cluster.until("the boot's flow on the console", async () => {
      const res = await fetch(new URL("api/state", consoleUrl));
      const state = (await res.json()) as ConsoleSnapshot;
      return state.flows.find((f) => f.title === "schedule_and_build_instances" && bootDone(f));
    });
    expect(flow.origin).toBe("api");
    expect(flow.id).toMatch(/^req-/);
    // The five steps in order; the compute's own calls to the conductor sit between them.
    const at = BOOT.map((b) => names(flow).indexOf(b));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const [cast, call, reply, build, built] = at.map((i) => flow.steps[i]!);
    expect(cast).toMatchObject({ from: "api", to: "conductor", queue: "conductor", msg_id: null });
    expect(call).toMatchObject({ from: "conductor", to: "scheduler", queue: "scheduler" });
    expect(call!.msg_id).toMatch(/^[0-9a-f]{32}$/);
    expect(call!.reply_queue).toMatch(/^reply_[0-9a-f]{32}$/);
    expect(reply).toMatchObject({ from: "scheduler", to: "conductor", msg_id: call!.msg_id, error: null });
    expect(reply!.queue).toBe(call!.reply_queue);
    expect(build).toMatchObject({ from: "conductor", to: "compute", queue: "compute.compute-1" });
    expect(build!.reply_queue).toMatch(/^reply_/);
    expect(built).toMatchObject({ from: "compute", to: "conductor", msg_id: build!.msg_id });
    // A call lasts until its reply arrived: it spans the reply's own transit.
    expect(call!.duration_ms!).toBeGreaterThanOrEqual(reply!.duration_ms!);
    expect(build!.duration_ms!).toBeGreaterThanOrEqual(built!.duration_ms!);
    // The compute's calls to the conductor during the build are the compute's.
    const between = flow.steps.slice(at[3]! + 1, at[4]!).filter((s) => s.kind === "call");
    expect(between.every((s) => s.from === "compute" && s.to === "conductor")).toBe(true);

    // The same flow went out as server-sent events while it happened.
    await cluster.until("the flow's events", async () =>
      text.includes(`"id":"${flow.id}"`) && text.includes('"kind":"reply","from":"compute"')
        ? true
        : undefined,
    );
    expect(text.startsWith("event: snapshot\n")).toBe(true);
    expect(text).toContain("event: flow\n");
    events.abort();
    await read;
  }, 90_000);

  it("has nova-api report the query times and pool use of each cell database it read, by cell", async () => {
    // A listing reads every cell: cell1 through the pool nova-api keeps for it (CellConnections).
    await client.listServers({ all_tenants: true });
    const text = await cluster.until("nova-api's cell metrics", async () => {
      const body = await (await fetch(apiMetricsUrl)).text();
      return /cell="cell1"/.test(body) ? body : undefined;
    });
    const line = (re: RegExp) => text.split("\n").find((l) => re.test(l));
    expect(
      line(
        /^nova_db_query_duration_seconds_count\{[^}]*method="instances\.\w+"[^}]*cell="cell1"[^}]*\} [1-9]/,
      ),
    ).toBeDefined();
    expect(
      line(/^nova_db_pool_connections_in_use\{database="cell",cell="cell1",service="nova-api"\} \d+$/),
    ).toBeDefined();
    // The databases nova-api's nova.conf names keep their series without the label.
    expect(line(/^nova_db_pool_connections_in_use\{database="api",service="nova-api"\} \d+$/)).toBeDefined();
  }, 60_000);

  it("stops on SIGTERM with exit code 0", async () => {
    expect(await cluster.stop(cluster.get("console"))).toBe(0);
  }, 60_000);
});
