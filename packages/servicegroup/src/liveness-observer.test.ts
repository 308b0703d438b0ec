import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { parseServiceGroupConfig } from "./config.js";
import { DownServiceMonitor } from "./down-service-monitor.js";
import { HeartbeatRecorder } from "./heartbeat-recorder.js";
import { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";

describe("LivenessObserver", () => {
  // The recorder batches on its clock's timer: flush writes at once.
  const report = async (recorder: HeartbeatRecorder, reportCount: number) => {
    const done = recorder.record({ host: "a", binary: "nova-compute", reportCount });
    await recorder.flush();
    await done;
  };

  it("hears a service recorded down by the check and up again by its next report, once each", async () => {
    const clock = new FakeClock();
    const store = new InMemoryHeartbeatStore();
    const config = parseServiceGroupConfig({ report_interval: 1, service_down_time: 3 });
    const seen: string[] = [];
    const observer = {
      transition: (s: { host: string; binary: string }, state: string) =>
        void seen.push(`${s.binary}@${s.host} ${state}`),
    };
    const monitor = new DownServiceMonitor({ store, clock, config, logger: silentLogger, observer });
    const recorder = new HeartbeatRecorder({
      store,
      clock,
      logger: silentLogger,
      observer,
      batchWindowMs: 0,
    });
    await store.ensureService({ host: "a", binary: "nova-compute", topic: "compute" }, clock.now());
    await report(recorder, 1);
    await clock.advance(5_000);
    await monitor.check();
    await monitor.check();
    expect(seen).toEqual(["nova-compute@a down"]);
    await report(recorder, 2);
    await report(recorder, 3);
    expect(seen).toEqual(["nova-compute@a down", "nova-compute@a up"]);
  });
});
