import { hasErrorCode } from "@nova/core";
import { ALL_WEIGHERS, DEFAULT_ENABLED_FILTERS } from "@nova/scheduler";
import { describe, expect, it } from "vitest";
import { parseSchedulerServiceConfig } from "./config.js";
import { InvalidSchedulerConfigError, SchedulerServiceError } from "./scheduler-service-error.js";

describe("scheduler service configuration", () => {
  it("has Nova's defaults", () => {
    const c = parseSchedulerServiceConfig({ DEFAULT: { host: "sched-a" } });
    expect(c.host).toBe("sched-a");
    expect(c.hostStateRefreshInterval).toBe(2);
    expect(c.scheduler.enabled_filters).toEqual([...DEFAULT_ENABLED_FILTERS]);
    expect(c.scheduler.weight_classes).toEqual([...ALL_WEIGHERS]);
    expect(c.scheduler.max_attempts).toBe(3);
    expect(c.scheduler.service_down_time).toBe(60);
  });

  it("reads raw INI strings from their Nova groups", () => {
    const warnings: string[] = [];
    const c = parseSchedulerServiceConfig(
      {
        DEFAULT: { service_down_time: "120", report_interval: "10", default_availability_zone: "az1" },
        filter_scheduler: {
          enabled_filters: "ComputeFilter, NumInstancesFilter",
          weight_classes: "nova.scheduler.weights.ram.RAMWeigher",
          ram_weight_multiplier: "-1.5",
          shuffle_best_same_weighed_hosts: "True",
          max_instances_per_host: "7",
          isolated_hosts: ["a", "b"],
          available_filters: "nova.scheduler.filters.all_filters",
          no_such_option: "1",
        },
        scheduler: { max_attempts: "5", host_state_refresh_interval: "0.5", workers: "4" },
        metrics: { weight_multiplier: "2", required: "off", weight_setting: "cpu.frequency=1" },
      },
      (m) => warnings.push(m),
    );
    expect(c.scheduler).toMatchObject({
      service_down_time: 120,
      default_availability_zone: "az1",
      enabled_filters: ["ComputeFilter", "NumInstancesFilter"],
      weight_classes: ["RAMWeigher"],
      ram_weight_multiplier: -1.5,
      shuffle_best_same_weighed_hosts: true,
      max_instances_per_host: 7,
      isolated_hosts: ["a", "b"],
      max_attempts: 5,
      metrics_weight_multiplier: 2,
      metrics_required: false,
      metrics_weight_setting: ["cpu.frequency=1"],
    });
    expect(c.hostStateRefreshInterval).toBe(0.5);
    expect(warnings).toEqual(["[filter_scheduler] no_such_option is not a known option; ignored"]);
  });

  it("raises service_down_time to 2.5 x report_interval as the servicegroup rule does", () => {
    const warnings: string[] = [];
    const c = parseSchedulerServiceConfig({ DEFAULT: { service_down_time: 10, report_interval: 10 } }, (m) =>
      warnings.push(m),
    );
    expect(c.scheduler.service_down_time).toBe(25);
    expect(warnings).toHaveLength(1);
  });

  it("names the group and option of a bad value", () => {
    const bad = (input: Parameters<typeof parseSchedulerServiceConfig>[0]) => {
      try {
        parseSchedulerServiceConfig(input);
      } catch (err) {
        expect(SchedulerServiceError.isInstance(err)).toBe(true);
        expect(hasErrorCode(err, "SCHEDULER_INVALID_CONFIG")).toBe(true);
        return (err as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(bad({ filter_scheduler: { max_io_ops_per_host: "many" } })).toBe(
      "[filter_scheduler] max_io_ops_per_host: expected a number, got many",
    );
    expect(bad({ scheduler: { max_attempts: "0" } })).toMatch(/^\[scheduler\] max_attempts: /);
    expect(bad({ metrics: { required: "maybe" } })).toBe("[metrics] required: expected a boolean, got maybe");
    expect(bad({ scheduler: { host_state_refresh_interval: "-1" } })).toMatch(
      /^\[scheduler\] host_state_refresh_interval: /,
    );
    expect(() => parseSchedulerServiceConfig({ filter_scheduler: { host_subset_size: "0" } })).toThrow(
      InvalidSchedulerConfigError,
    );
  });
});
