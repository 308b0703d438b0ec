import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { parseServiceGroupConfig } from "./config.js";
import { DownServiceMonitor } from "./down-service-monitor.js";
import { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";
import type { ServiceChange } from "./service-notifier.js";

describe("DownServiceMonitor", () => {
  it("records a silent service down once, within service_down_time plus one check period", async () => {
    const clock = new FakeClock();
    const store = new InMemoryHeartbeatStore();
    const config = parseServiceGroupConfig({ report_interval: 1, service_down_time: 3 });
    const events: Array<[string, ServiceChange, number]> = [];
    const t0 = clock.now();
    const monitor = new DownServiceMonitor({
      store,
      clock,
      config,
      logger: silentLogger,
      notifier: { serviceUpdate: (s, c) => void events.push([s.host, c, clock.now() - t0]) },
    });
    for (const host of ["a", "b"])
      await store.ensureService({ host, binary: "nova-compute", topic: "compute" }, t0);
    await store.recordHeartbeats([{ host: "a", binary: "nova-compute", reportCount: 1 }], t0);
    await store.recordHeartbeats([{ host: "b", binary: "nova-compute", reportCount: 1 }], t0);
    monitor.start();
    // b keeps reporting every second; a falls silent at t0.
    for (let s = 1; s <= 10; s++) {
      await clock.advance(1_000);
      await store.recordHeartbeats([{ host: "b", binary: "nova-compute", reportCount: s + 1 }], clock.now());
    }
    expect(events).toEqual([["a", "down", 4_000]]);
    const rows = await store.listServices();
    expect(rows.find((s) => s.host === "a")?.recordedDown).toBe(true);
    expect(rows.find((s) => s.host === "b")?.recordedDown).toBe(false);
    await monitor.stop();
  });

  it("does not record a forced-down service (the operator already did) and survives a failing store", async () => {
    const clock = new FakeClock();
    const store = new InMemoryHeartbeatStore();
    const config = parseServiceGroupConfig({ report_interval: 1, service_down_time: 3 });
    await store.ensureService({ host: "f", binary: "nova-compute", topic: "compute" }, clock.now());
    store.update({ host: "f", binary: "nova-compute" }, { forcedDown: true });
    const monitor = new DownServiceMonitor({ store, clock, config, logger: silentLogger });
    expect(await monitor.check()).toEqual([]);
    const original = store.markDown.bind(store);
    let calls = 0;
    store.markDown = async (cutoff, at) => {
      calls++;
      if (calls === 1) throw new Error("database gone");
      return original(cutoff, at);
    };
    monitor.start();
    await clock.advance(5_000);
    expect(calls).toBeGreaterThan(1); // the check kept running after the failure
    await monitor.stop();
  });
});
