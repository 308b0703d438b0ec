import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it, vi } from "vitest";
import { HeartbeatReporter } from "./heartbeat-reporter.js";

const service = { host: "cpu-1", binary: "nova-compute", topic: "compute" };

function setup(report: () => Promise<void>, intervalSec = 10) {
  const clock = new FakeClock();
  const logger = { ...silentLogger, warn: vi.fn(), info: vi.fn() };
  const reporter = new HeartbeatReporter({ service, intervalSec, report, clock, logger });
  return { clock, logger, reporter };
}

describe("HeartbeatReporter", () => {
  it("reports at once, then every interval", async () => {
    const times: number[] = [];
    const { clock, reporter } = setup(async () => {
      times.push(clock.now());
    });
    const t0 = clock.now();
    reporter.start();
    await clock.advance(35_000);
    expect(times.map((t) => t - t0)).toEqual([0, 10_000, 20_000, 30_000]);
    await reporter.stop();
  });

  it("logs a failed report once per outage, keeps trying at each interval, and logs the recovery", async () => {
    let fail = false;
    const report = vi.fn(async () => {
      if (fail) throw new Error("MessagingTimeout");
    });
    const { clock, logger, reporter } = setup(report);
    reporter.start();
    await clock.advance(1);
    fail = true;
    await clock.advance(30_000); // three failed reports
    expect(reporter.stats).toMatchObject({ reports: 1, failures: 3, disconnected: true });
    expect(logger.warn).toHaveBeenCalledOnce();
    fail = false;
    await clock.advance(10_000);
    expect(reporter.stats).toMatchObject({ reports: 2, disconnected: false });
    expect(logger.info).toHaveBeenCalledWith(
      expect.anything(),
      "Recovered from being unable to report status",
    );
    await reporter.stop();
  });

  it("sends the first report after recovery at once when nudged", async () => {
    let fail = true;
    const times: number[] = [];
    const { clock, reporter } = setup(async () => {
      times.push(clock.now());
      if (fail) throw new Error("broker down");
    });
    const t0 = clock.now();
    reporter.start();
    await clock.advance(2_000);
    fail = false;
    reporter.nudge(); // the transport reconnected at t0 + 2 s
    await clock.advance(1);
    expect(times.map((t) => t - t0)).toEqual([0, 2_000]);
    expect(reporter.stats.disconnected).toBe(false);
    // Cadence continues from the recovery report.
    await clock.advance(10_000);
    expect(times.map((t) => t - t0)).toEqual([0, 2_000, 12_000]);
    await reporter.stop();
  });

  it("ignores a nudge while reports succeed", async () => {
    const report = vi.fn(async () => {});
    const { clock, reporter } = setup(report);
    reporter.start();
    await clock.advance(1_000);
    reporter.nudge();
    await clock.advance(1_000);
    expect(report).toHaveBeenCalledTimes(1);
    await reporter.stop();
  });

  it("never overlaps a slow report with the next one", async () => {
    let active = 0;
    let maxActive = 0;
    const { clock, reporter } = setup(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((resolve) => clock.setTimer(25_000, resolve)); // slower than the interval
      active--;
    });
    reporter.start();
    await clock.advance(100_000);
    expect(maxActive).toBe(1);
    expect(reporter.stats.reports).toBe(4); // t=0, 25, 50, 75 s: each starts when the previous ends
    await reporter.stop(); // the fifth report (started at 100 s) is still under way
    await clock.advance(25_000);
    await reporter.settled();
    expect(maxActive).toBe(1);
  });

  it("stops at once without waiting for the report under way, and nothing follows it", async () => {
    let finished = 0;
    const { clock, reporter } = setup(async () => {
      await new Promise<void>((resolve) => clock.setTimer(1_000, resolve));
      finished++;
    });
    reporter.start();
    await clock.advance(500);
    // Resolves while the report still waits (its conductor may be gone for a whole rpc_response_timeout).
    await reporter.stop();
    expect(finished).toBe(0);
    await clock.advance(1_000);
    await reporter.settled();
    expect(finished).toBe(1);
    await clock.advance(60_000);
    expect(finished).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it("survives a report that throws synchronously-ish (non-Error values)", async () => {
    const { clock, reporter } = setup(() => Promise.reject("plain string"));
    reporter.start();
    await clock.advance(20_000);
    expect(reporter.stats.failures).toBe(3);
    await reporter.stop();
  });
});
