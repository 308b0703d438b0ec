import { afterEach, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane, DEFAULT_IMAGE_ID } from "./control-plane.js";
import { createLogger } from "./logger.js";

const wait = { timeoutMs: 20_000, intervalMs: 50 };
const logger = createLogger("instance-metrics-test", { level: "silent" });

const planes: ControlPlane[] = [];
afterEach(async () => {
  while (planes.length > 0) await planes.pop()!.stop();
});

/** A sample's value from Prometheus text, by metric name and the labels given (others ignored). */
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

describe("instance, database and liveness metrics of a control plane", () => {
  it("count a build that succeeds, one that fails on every host, and one no host can take", async () => {
    const p = await createControlPlane({
      logger,
      computes: 2,
      config: {
        options: {
          metrics: { listen: "127.0.0.1:0" },
          // Hosts of 4 GiB: m1.large (8 GiB) fits none; servers named doomed-* fail to spawn everywhere.
          fake: { memory_mb: "4096", spawn_failure_pattern: "^doomed" },
        },
      },
    });
    planes.push(p);
    const ok = await p.compute.createServer({ name: "ok", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    const doomed = await p.compute.createServer({
      name: "doomed-1",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    const big = await p.compute.createServer({ name: "big", flavorRef: "4", imageRef: DEFAULT_IMAGE_ID });
    await p.compute.waitForServerStatus(ok.id, "ACTIVE", wait);
    await p.compute.waitForServerStatus(doomed.id, "ERROR", wait);
    await p.compute.waitForServerStatus(big.id, "ERROR", wait);

    const text = await (await fetch(p.metricsUrl()!)).text();
    const create = { action: "create" };
    // Stages: the conductor's event of each build (it spans the build: the doomed one fails it, the
    // unschedulable one too, whose history is written in cell0 only), the compute's claim-and-
    // spawn of the placed ones (the doomed one on both hosts).
    const schedule = { ...create, event: "conductor_schedule_and_build_instances" };
    expect(
      sample(text, "nova_instance_action_stage_duration_seconds_count", { ...schedule, result: "Success" }),
    ).toBe(1);
    expect(
      sample(text, "nova_instance_action_stage_duration_seconds_count", { ...schedule, result: "Error" }),
    ).toBe(2);
    const spawn = { ...create, event: "compute__do_build_and_run_instance" };
    expect(
      sample(text, "nova_instance_action_stage_duration_seconds_count", { ...spawn, result: "Success" }),
    ).toBe(1);
    expect(
      sample(text, "nova_instance_action_stage_duration_seconds_count", { ...spawn, result: "Error" }),
    ).toBe(2);
    // Total to ACTIVE: from the create action's start to the successful spawn's end.
    expect(sample(text, "nova_instance_action_duration_seconds_count", { ...spawn, result: "Success" })).toBe(
      1,
    );
    // One reschedule (the second host); the last host's failure ends the build.
    expect(sample(text, "nova_instance_reschedules_total", { operation: "build" })).toBe(1);
    expect(sample(text, "nova_instance_faults_total", { error: "MaxRetriesExceeded" })).toBe(1);
    expect(sample(text, "nova_instance_faults_total", { error: "NoValidHost" })).toBe(1);
    expect(sample(text, "nova_scheduler_no_valid_host_total", {})).toBe(1);
    // Database, per repository method: the three create actions (the unschedulable one's in cell0).
    expect(sample(text, "nova_db_query_duration_seconds_count", { method: "actions.start" })).toBe(3);
    expect(text).toMatch(/nova_db_query_duration_seconds_count\{[^}]*method="instances\.\w+"[^}]*\} [1-9]/);
    // Heartbeats: an age for each compute, read from the services table at the scrape.
    for (const host of ["fake-1", "fake-2"]) {
      const age = sample(text, "nova_service_heartbeat_age_seconds", { binary: "nova-compute", host });
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(60);
    }
    // Bounded labels: no instance id anywhere.
    for (const id of [ok.id, doomed.id, big.id]) expect(text).not.toContain(id);
  });
});
