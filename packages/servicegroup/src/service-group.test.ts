import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it, vi } from "vitest";
import { parseServiceGroupConfig } from "./config.js";
import { pluginServiceGroupDriver, type ServiceGroupDriverPlugin } from "./driver-plugin.js";
import { ServiceGroupError } from "./errors.js";
import { createMemoryDriver } from "./memory-driver.js";
import { createDbDriver, ServiceGroup } from "./service-group.js";
import type { ServiceRecord } from "./service-record.js";

const compute = (host: string) => ({ host, binary: "nova-compute", topic: "compute" });

describe("ServiceGroup (memory driver)", () => {
  it("lists joined services as up, and a service that left as down after service_down_time", async () => {
    const clock = new FakeClock();
    const config = parseServiceGroupConfig({
      report_interval: 10,
      service_down_time: 60,
      servicegroup_driver: "memory",
    });
    const driver = createMemoryDriver({ clock, logger: silentLogger });
    const group = new ServiceGroup({ config, driver, clock, logger: silentLogger });
    group.join(compute("cpu-1"));
    group.join(compute("cpu-2"));
    group.join({ host: "ctl", binary: "nova-scheduler", topic: "scheduler" });
    await clock.advance(1);
    expect((await group.upServices("compute")).map((s) => s.host).sort()).toEqual(["cpu-1", "cpu-2"]);

    // cpu-2's only report was at t0; it leaves at t0 + 1 ms.
    await group.leave({ host: "cpu-2", binary: "nova-compute" });
    await clock.advance(59_999);
    expect((await group.upServices("compute")).map((s) => s.host).sort()).toEqual(["cpu-1", "cpu-2"]); // 60 s: up
    await clock.advance(1);
    expect((await group.upServices("compute")).map((s) => s.host)).toEqual(["cpu-1"]);
    const [cpu1] = await driver.store.listServices({ topic: "compute", binary: "nova-compute" });
    expect(cpu1?.reportCount).toBe(7); // t = 0, 10, ..., 60 s
    expect(group.getUpdatedTime(cpu1!)).toBe(cpu1?.updatedAt);
    await group.leaveAll();
  });

  it("counts a forced-down service as down", async () => {
    const clock = new FakeClock();
    const config = parseServiceGroupConfig({ servicegroup_driver: "memory" });
    const driver = createMemoryDriver({ clock, logger: silentLogger });
    const group = new ServiceGroup({ config, driver, clock, logger: silentLogger });
    group.join(compute("cpu-1"));
    await clock.advance(1);
    driver.store.update({ host: "cpu-1", binary: "nova-compute" }, { forcedDown: true });
    expect(await group.upServices("compute")).toEqual([]);
    await group.leaveAll();
  });

  it("does not report at all with report_interval 0, as Nova", async () => {
    const clock = new FakeClock();
    const config = parseServiceGroupConfig({ report_interval: 0, service_down_time: 60 });
    let sent = 0;
    const driver = createDbDriver({
      sender: {
        sendReport: async () => {
          sent++;
          return { lastSeenUp: 0, updatedAt: 0 };
        },
      },
    });
    const group = new ServiceGroup({ config, driver, clock, logger: silentLogger });
    group.join(compute("cpu-1"));
    await clock.advance(100_000);
    expect(sent).toBe(0);
    await expect(group.upServices("compute")).rejects.toThrow(/cannot list services/);
    const err = await group.upServices("compute").catch((e: unknown) => e);
    expect(ServiceGroupError.isInstance(err) && err.code).toBe("SERVICE_LIST_UNAVAILABLE");
  });

  it("counts only recorded reports in report_count (a failed report is not counted)", async () => {
    const clock = new FakeClock();
    const config = parseServiceGroupConfig({ report_interval: 10, service_down_time: 60 });
    const counts: number[] = [];
    let fail = false;
    const driver = createDbDriver({
      sender: {
        sendReport: async (_svc, report) => {
          if (fail) throw new Error("timeout");
          counts.push(report.reportCount);
          return { lastSeenUp: clock.now(), updatedAt: clock.now() };
        },
      },
    });
    const group = new ServiceGroup({ config, driver, clock, logger: silentLogger });
    const m = group.join(compute("cpu-1"), { initialReportCount: 41 });
    await clock.advance(1);
    fail = true;
    await clock.advance(20_000);
    fail = false;
    await clock.advance(10_000);
    expect(counts).toEqual([42, 43]);
    // The recovery report went out at t0 + 30 s; the clock stands 1 ms later.
    expect(m.lastRecorded).toEqual({ lastSeenUp: clock.now() - 1, updatedAt: clock.now() - 1 });
    await group.leaveAll();
  });
});

describe("ServiceGroup with a plug-in driver (containment)", () => {
  const record = (host: string, forcedDown = false): ServiceRecord => ({
    ...compute(host),
    forcedDown,
    disabled: false,
    disabledReason: null,
    reportCount: 0,
    lastSeenUp: null,
    createdAt: 0,
    updatedAt: null,
  });

  function setup(plugin: ServiceGroupDriverPlugin) {
    const clock = new FakeClock();
    const warn = vi.fn();
    const config = parseServiceGroupConfig({ report_interval: 1, service_down_time: 3 });
    const group = new ServiceGroup({
      config,
      driver: pluginServiceGroupDriver("test#Driver", plugin, clock),
      clock,
      logger: { ...silentLogger, warn },
      driverCallTimeoutMs: 500,
    });
    return { clock, group, warn };
  }

  it("reports through the plug-in and reads liveness from it; forced down wins", async () => {
    const seen = new Set<string>();
    const { clock, group } = setup({
      sendReport: async (s) => void seen.add(s.host),
      isUp: (s) => seen.has(s.host),
    });
    const m = group.join(compute("cpu-1"));
    await clock.advance(1);
    expect(m.reporter.stats.reports).toBe(1);
    expect(m.lastRecorded).toEqual({ lastSeenUp: clock.now() - 1, updatedAt: clock.now() - 1 });
    expect(await group.serviceIsUp(record("cpu-1"))).toBe(true);
    expect(await group.serviceIsUp(record("cpu-2"))).toBe(false);
    expect(await group.serviceIsUp(record("cpu-1", true))).toBe(false);
    await group.leaveAll();
  });

  it("keeps reporting after a join that throws and reports that throw or hang", async () => {
    let calls = 0;
    const { clock, group, warn } = setup({
      join: () => {
        throw new Error("no redis");
      },
      sendReport: (): Promise<undefined> => {
        calls++;
        if (calls === 1) throw new Error("redis gone");
        if (calls === 2) return new Promise<undefined>(() => {}); // hangs for ever
        return Promise.resolve(undefined);
      },
      isUp: () => true,
    });
    const m = group.join(compute("cpu-1"));
    await clock.advance(1); // first report: throws
    expect(warn.mock.calls.map((c) => c[1])).toEqual([
      "servicegroup driver failed to join the service; reporting anyway",
      "Lost connection to nova-conductor for reporting service status",
    ]);
    await clock.advance(1_000); // second report: hangs, fails at its 500 ms deadline
    await clock.advance(500);
    expect(m.reporter.stats).toMatchObject({ failures: 2, reports: 0 });
    await clock.advance(1_000); // the loop went on: the third report goes through
    expect(calls).toBe(3);
    expect(m.reporter.stats).toMatchObject({ reports: 1, disconnected: false });
    await group.leaveAll();
  });

  it("counts a service down when the plug-in's isUp throws, hangs or answers nonsense", async () => {
    const answers: Array<() => unknown> = [
      () => {
        throw new Error("redis gone");
      },
      () => new Promise(() => {}),
      () => "yes",
    ];
    let i = 0;
    const { clock, group } = setup({
      sendReport: async () => undefined,
      isUp: () => answers[i++]!() as boolean,
    });
    expect(await group.serviceIsUp(record("cpu-1"))).toBe(false);
    const hung = group.serviceIsUp(record("cpu-1"));
    await clock.advance(500);
    expect(await hung).toBe(false);
    expect(await group.serviceIsUp(record("cpu-1"))).toBe(false);
  });
});
