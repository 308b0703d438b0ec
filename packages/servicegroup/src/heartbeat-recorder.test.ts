import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it, vi } from "vitest";
import { ServiceNotFoundError } from "./errors.js";
import { HeartbeatRecorder } from "./heartbeat-recorder.js";
import { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";
import type { ServiceChange, ServiceNotifier } from "./service-notifier.js";

async function setup(
  computes: number,
  opts: { batchWindowMs?: number; maxBatch?: number; maxConcurrentWrites?: number } = {},
) {
  const clock = new FakeClock();
  const store = new InMemoryHeartbeatStore();
  for (let i = 0; i < computes; i++) {
    await store.ensureService({ host: `cpu-${i}`, binary: "nova-compute", topic: "compute" }, clock.now());
  }
  store.writes = 0;
  const events: Array<[string, ServiceChange]> = [];
  const notifier: ServiceNotifier = { serviceUpdate: (s, c) => void events.push([s.host, c]) };
  const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, notifier, ...opts });
  return { clock, store, recorder, events };
}

describe("HeartbeatRecorder", () => {
  it("records reports arriving within the window in one write, and answers each after it", async () => {
    const { clock, store, recorder } = await setup(100, { batchWindowMs: 50 });
    const answered: number[] = [];
    const all = Array.from({ length: 100 }, (_, i) =>
      recorder.record({ host: `cpu-${i}`, binary: "nova-compute", reportCount: 7 }).then((r) => {
        answered.push(i);
        return r;
      }),
    );
    await clock.advance(49);
    expect(answered).toEqual([]);
    expect(store.writes).toBe(0);
    await clock.advance(1);
    const results = await Promise.all(all);
    expect(store.writes).toBe(1);
    expect(results[0]).toEqual({ lastSeenUp: clock.now(), updatedAt: clock.now() });
    const rows = await store.listServices();
    expect(rows.every((s) => s.reportCount === 7 && s.lastSeenUp === clock.now())).toBe(true);
  });

  it("writes at once when a batch is full", async () => {
    const { store, recorder } = await setup(10, { batchWindowMs: 10_000, maxBatch: 5 });
    const first = Array.from({ length: 5 }, (_, i) =>
      recorder.record({ host: `cpu-${i}`, binary: "nova-compute", reportCount: 1 }),
    );
    await Promise.all(first); // no clock movement needed
    expect(store.writes).toBe(1);
  });

  it("answers a report from an unknown service with ServiceNotFoundError, and the others normally", async () => {
    const { clock, recorder } = await setup(1);
    const ok = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 1 });
    const gone = recorder.record({ host: "deleted", binary: "nova-compute", reportCount: 1 });
    const goneResult = gone.catch((e: unknown) => e);
    const t0 = clock.now();
    await clock.advance(100);
    await expect(ok).resolves.toMatchObject({ lastSeenUp: t0 + 50 }); // written when the 50 ms window closed
    const err = await goneResult;
    expect(err).toBeInstanceOf(ServiceNotFoundError);
    expect((err as ServiceNotFoundError).code).toBe("SERVICE_NOT_FOUND");
  });

  it("rejects every report of a batch whose write failed, and keeps working afterwards", async () => {
    const { clock, store, recorder } = await setup(2);
    const spy = vi.spyOn(store, "recordHeartbeats").mockRejectedValueOnce(new Error("Deadlock found"));
    const a = recorder
      .record({ host: "cpu-0", binary: "nova-compute", reportCount: 1 })
      .catch((e: Error) => e.message);
    const b = recorder
      .record({ host: "cpu-1", binary: "nova-compute", reportCount: 1 })
      .catch((e: Error) => e.message);
    await clock.advance(100);
    expect(await a).toBe("Deadlock found");
    expect(await b).toBe("Deadlock found");
    const c = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 2 });
    await clock.advance(100);
    await expect(c).resolves.toBeDefined();
    expect(spy).toHaveBeenCalledTimes(2);
    expect(recorder.counters).toMatchObject({ failedWrites: 1, reports: 1 });
  });

  it("merges two reports of one service in one window into one row update", async () => {
    const { clock, store, recorder } = await setup(1);
    const a = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 4 });
    const b = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 5 });
    await clock.advance(100);
    await Promise.all([a, b]);
    expect((await store.listServices())[0]?.reportCount).toBe(5);
  });

  it("notifies `up` when a service recorded down reports again", async () => {
    const { clock, store, recorder, events } = await setup(2);
    await clock.advance(120_000);
    await store.markDown(clock.now() - 60_000, clock.now());
    const r = recorder.record({ host: "cpu-1", binary: "nova-compute", reportCount: 1 });
    await clock.advance(100);
    await r;
    expect(events).toEqual([["cpu-1", "up"]]);
    const rows = await store.listServices();
    expect(rows.find((s) => s.host === "cpu-1")?.recordedDown).toBe(false);
    expect(rows.find((s) => s.host === "cpu-0")?.recordedDown).toBe(true);
  });

  it("runs up to maxConcurrentWrites writes at once; reports that wait for a slot share the next write", async () => {
    const { clock, store, recorder } = await setup(40, { batchWindowMs: 10, maxConcurrentWrites: 2 });
    // A slow database: each write finishes only when the test says so.
    const release: Array<() => void> = [];
    const sizes: number[] = [];
    const real = store.recordHeartbeats.bind(store);
    vi.spyOn(store, "recordHeartbeats").mockImplementation(async (reports, at) => {
      sizes.push(reports.length);
      await new Promise<void>((r) => release.push(r));
      return real(reports, at);
    });
    const report = (i: number) =>
      recorder.record({ host: `cpu-${i}`, binary: "nova-compute", reportCount: 1 });
    const all: Promise<unknown>[] = [];
    for (let w = 0; w < 4; w++) {
      // Four windows of five reports each: the first two windows get a write each, the next two wait.
      for (let i = 0; i < 5; i++) all.push(report(w * 5 + i));
      await clock.advance(10);
    }
    expect(sizes).toEqual([5, 5]);
    expect(recorder.writesInFlight).toBe(2);
    release.shift()!();
    await vi.waitFor(() => expect(sizes).toEqual([5, 5, 10]));
    // A report arriving now waits for its own window, not for a write slot.
    all.push(report(20));
    release.shift()!();
    await vi.waitFor(() => expect(recorder.writesInFlight).toBe(1));
    await clock.advance(10);
    expect(sizes).toEqual([5, 5, 10, 1]);
    while (release.length > 0) release.shift()!();
    await vi.waitFor(() => expect(recorder.writesInFlight).toBe(0));
    await Promise.all(all);
    expect(recorder.counters.reports).toBe(21);
  });

  it("flush() writes what is pending and waits for every write in flight", async () => {
    const { store, recorder } = await setup(3, { batchWindowMs: 60_000 });
    const a = recorder.record({ host: "cpu-0", binary: "nova-compute", reportCount: 3 });
    await recorder.flush();
    await expect(a).resolves.toBeDefined();
    expect(store.writes).toBe(1);
  });
});
