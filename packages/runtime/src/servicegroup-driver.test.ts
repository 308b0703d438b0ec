import { fileURLToPath } from "node:url";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { MemoryServiceGroupDriver } from "./__fixtures__/plugins.js";
import { PluginLoadError } from "./plugin-load-error.js";
import { loadServiceGroupDriver } from "./servicegroup-driver.js";

const baseDir = fileURLToPath(new URL(".", import.meta.url));
const FIXTURES = "./__fixtures__/plugins.ts";
const conf = (servicegroup_driver: string) =>
  loadNovaConfig({ defaults: { DEFAULT: { servicegroup_driver, report_interval: "2" } } });
const load = (name: string, clock = new FakeClock()) =>
  loadServiceGroupDriver(conf(name), { logger: silentLogger, baseDir, clock });

describe("loadServiceGroupDriver", () => {
  it("leaves db to the services (undefined), and refuses mc and unknown names with a ConfigError naming the option", async () => {
    await expect(load("db")).resolves.toBeUndefined();
    const mc = await load("mc").catch((e: unknown) => e);
    expect(ConfigError.isInstance(mc)).toBe(true);
    expect(mc).toMatchObject({ group: "DEFAULT", option: "servicegroup_driver" });
    expect(String((mc as Error).message)).toMatch(/memcache servicegroup driver is not supported/);
    await expect(load("zookeeper")).rejects.toThrow(/servicegroup_driver .*"zookeeper" \(known: db/);
  });

  it("refuses a plug-in of the wrong shape or a missing export with a PluginLoadError naming the option", async () => {
    const half = await load(`${FIXTURES}#HalfServiceGroupDriver`).catch((e: unknown) => e);
    expect(PluginLoadError.isInstance(half)).toBe(true);
    expect((half as Error).message).toMatch(/servicegroup_driver/);
    expect((half as Error).message).toMatch(/lacks ServiceGroupDriverPlugin methods: isUp/);
    await expect(load(`${FIXTURES}#notAPlugin`)).rejects.toThrow(/is not a class/);
    await expect(load(`${FIXTURES}#Nothing`)).rejects.toThrow(/has no export Nothing/);
  });

  it("loads a plug-in by name, built with its context; reports and liveness go through it, bounded", async () => {
    const clock = new FakeClock();
    const loaded = await load(`${FIXTURES}#MemoryServiceGroupDriver`, clock);
    const driver = MemoryServiceGroupDriver.instances.at(-1)!;
    expect(loaded?.name).toBe(`${FIXTURES}#MemoryServiceGroupDriver`);
    // Each call gets report_interval (2 s) before it counts as failed.
    expect(loaded?.serviceGroup.callTimeoutMs).toBe(2_000);
    const key = { host: "cpu-1", binary: "nova-compute", topic: "compute" };
    await loaded!.serviceGroup.driver.sender.sendReport(key, { ...key, reportCount: 1 });
    expect(driver.reports.get("compute:cpu-1")).toBe(clock.now());
    const row = {
      ...key,
      forcedDown: false,
      disabled: false,
      disabledReason: null,
      reportCount: 1,
      lastSeenUp: null,
      createdAt: 0,
      updatedAt: null,
    };
    expect(await loaded!.serviceIsUp(row)).toBe(true);
    expect(await loaded!.serviceIsUp({ ...row, forcedDown: true })).toBe(false);
    await clock.advance(60_001); // service_down_time 60 s in the driver's own rule
    expect(await loaded!.serviceIsUp(row)).toBe(false);
    await loaded!.close();
  });
});
