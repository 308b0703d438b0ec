import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ComputeClient } from "@nova/client";
import { RequestScope } from "@nova/telemetry";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (running.length) await running.pop()?.();
});

/** A sample's value from Prometheus text, by metric name and exact label set (order as prom-client writes). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf("}"));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("all-in-one telemetry", () => {
  it("counts two boots in Prometheus metrics and names the API's request id in every service's log lines", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nova-telemetry-"));
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString("utf8").split("\n")) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    const requestScope = new RequestScope();
    const logger = pino({ name: "nova", level: "debug", mixin: requestScope.logMixin }, sink);
    const aio = await createAllInOne({
      dataDir,
      apiPort: 0,
      metricsPort: 0,
      requestScope,
      logger,
      env: { OS_DEFAULT__REPORT_INTERVAL: "1", OS_FAKE__HOST_COUNT: "2" },
    });
    const started: typeof aio.services = [];
    running.push(async () => {
      for (const s of started.reverse()) await s.stop();
      await aio.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    for (const s of aio.services) {
      await s.start();
      started.push(s);
    }
    const base = `http://127.0.0.1:${aio.apiPort()}/v2.1`;
    const client = new ComputeClient({ endpoint: base, token: "admin:admin" });
    const requestIds: string[] = [];
    const serverIds: string[] = [];
    for (const name of ["t-1", "t-2"]) {
      const res = await fetch(`${base}/servers`, {
        method: "POST",
        headers: { "X-Auth-Token": "admin:admin", "Content-Type": "application/json" },
        body: JSON.stringify({ server: { name, flavorRef: "1", imageRef: DEFAULT_IMAGE_ID } }),
      });
      expect(res.status).toBe(202);
      requestIds.push(res.headers.get("x-openstack-request-id")!);
      serverIds.push(((await res.json()) as { server: { id: string } }).server.id);
    }
    for (const id of serverIds)
      await client.waitForServerStatus(id, "ACTIVE", { timeoutMs: 20_000, intervalMs: 50 });

    const url = aio.metricsUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(url!)).text();
    const api = { method: "POST", route: "/servers", status: "202", microversion: "2.1", service: "nova" };
    expect(sample(text, "nova_api_requests_total", api)).toBe(2);
    expect(
      sample(text, "nova_rpc_client_requests_total", {
        kind: "cast",
        topic: "conductor",
        method: "schedule_and_build_instances",
      }),
    ).toBe(2);
    expect(
      sample(text, "nova_rpc_server_requests_total", {
        kind: "cast",
        topic: "conductor",
        method: "schedule_and_build_instances",
      }),
    ).toBe(2);
    expect(
      sample(text, "nova_rpc_call_duration_seconds_count", {
        topic: "scheduler",
        method: "select_destinations",
      }),
    ).toBe(2);
    expect(
      sample(text, "nova_rpc_server_requests_total", {
        kind: "call",
        topic: "scheduler",
        method: "select_destinations",
      }),
    ).toBe(2);
    expect(
      sample(text, "nova_rpc_client_requests_total", { topic: "compute", method: "build_and_run_instance" }),
    ).toBe(2);
    expect(
      sample(text, "nova_rpc_client_timeouts_total", { topic: "scheduler", method: "select_destinations" }),
    ).toBeUndefined();
    // Heartbeats ran (every compute and the conductor report over RPC) and nothing is left in flight after.
    expect(
      sample(text, "nova_rpc_client_in_flight", { topic: "scheduler", method: "select_destinations" }),
    ).toBe(0);
    expect(text).toMatch(/# TYPE nova_rpc_call_duration_seconds histogram/);
    // Bounded labels: no instance id, no request id anywhere in the exposition.
    for (const id of [...serverIds, ...requestIds]) expect(text).not.toContain(id);

    // Every service that worked on a boot logged under the API's request id, as the global one.
    for (const rid of requestIds) {
      const mine = lines.filter((l) => l.global_request_id === rid);
      const services = new Set(mine.map((l) => l.svc));
      expect(services).toContain("conductor");
      expect(services).toContain("scheduler");
      expect(services).toContain("compute");
    }
  });
});
