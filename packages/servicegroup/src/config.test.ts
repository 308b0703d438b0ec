import { silentLogger } from "@nova/core";
import { describe, expect, it, vi } from "vitest";
import { parseServiceGroupConfig } from "./config.js";

describe("parseServiceGroupConfig", () => {
  it("uses Nova's defaults", () => {
    expect(parseServiceGroupConfig({})).toEqual({ reportInterval: 10, serviceDownTime: 60, driver: "db" });
  });

  it("raises a service_down_time not larger than report_interval to 2.5x, with a warning", () => {
    const warn = vi.fn();
    const cfg = parseServiceGroupConfig(
      { report_interval: 10, service_down_time: 10 },
      { ...silentLogger, warn },
    );
    expect(cfg.serviceDownTime).toBe(25);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toMatchObject({ service_down_time: 10, new_service_down_time: 25 });
    // Nova truncates: int(3 * 2.5) = 7.
    expect(parseServiceGroupConfig({ report_interval: 3, service_down_time: 2 }).serviceDownTime).toBe(7);
  });

  it("keeps a valid pair as it is", () => {
    const warn = vi.fn();
    expect(
      parseServiceGroupConfig({ report_interval: 1, service_down_time: 3 }, { ...silentLogger, warn }),
    ).toEqual({
      reportInterval: 1,
      serviceDownTime: 3,
      driver: "db",
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it("rejects an unknown driver and Nova's mc, naming the option", () => {
    expect(() => parseServiceGroupConfig({ servicegroup_driver: "zk" })).toThrow(/servicegroup_driver/);
    expect(() => parseServiceGroupConfig({ servicegroup_driver: "mc" })).toThrow(/memcache .* not supported/);
    expect(parseServiceGroupConfig({ servicegroup_driver: "my-drivers#Redis" }).driver).toBe(
      "my-drivers#Redis",
    );
  });
});
