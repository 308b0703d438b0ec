import { parseConductorConfig } from "@nova/conductor";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { describe, expect, it } from "vitest";
import { computeConfig } from "./compute.js";
import { conductorConfig } from "./conductor.js";
import { schedulerServiceConfig } from "./scheduler.js";

const CELL = "3f1c2a4e-8b5d-4c6e-9f70-112233445566";

describe("the typed slices runtime hands each service", () => {
  it("gives nova-compute the reserved_host_* amounts and the forced ratios of nova.conf", () => {
    const defaults = computeConfig(loadNovaConfig());
    expect(defaults).toMatchObject({
      reserved_host_cpus: 0,
      reserved_host_memory_mb: 512,
      reserved_host_disk_mb: 0,
      cpu_allocation_ratio: null,
    });
    const set = computeConfig(
      loadNovaConfig({
        texts: [
          "[DEFAULT]\nreserved_host_cpus = 2\nreserved_host_memory_mb = 2048\nreserved_host_disk_mb = 10240\n" +
            "cpu_allocation_ratio = 4.0\nrpc_response_timeout = 9\n[upgrade_levels]\nconductor = 3.0\n",
        ],
      }),
    );
    expect(set).toMatchObject({
      reserved_host_cpus: 2,
      reserved_host_memory_mb: 2048,
      reserved_host_disk_mb: 10240,
      cpu_allocation_ratio: 4,
      ram_allocation_ratio: null,
      rpc_response_timeout: 9,
      upgrade_levels: { conductor: "3.0" },
    });
  });

  it("gives nova-conductor one instance_build_timeout (nova-ts's 3600 s, outlasting a build's two long RPC waits) and the messaging pool size", () => {
    const parsed = parseConductorConfig(conductorConfig(loadNovaConfig(), CELL));
    expect(parsed.instance_build_timeout).toBe(3600);
    expect(parseConductorConfig({}).instance_build_timeout).toBe(3600);
    const set = parseConductorConfig(
      conductorConfig(
        loadNovaConfig({
          texts: ["[DEFAULT]\ninstance_build_timeout = 0\nexecutor_thread_pool_size = 16\n"],
        }),
        CELL,
      ),
    );
    expect(set).toMatchObject({ instance_build_timeout: 0, executor_thread_pool_size: 16, cell_uuid: CELL });
  });

  it("checks nova-scheduler's groups at once, naming the group and option", () => {
    const ok = schedulerServiceConfig(
      loadNovaConfig({ texts: ["[filter_scheduler]\nhost_subset_size = 2\n"] }),
    );
    expect(ok.filter_scheduler).toEqual({ host_subset_size: "2" });
    const bad = loadNovaConfig({ texts: ["[filter_scheduler]\nshuffle_best_same_weighed_hosts = t\n"] });
    expect(() => schedulerServiceConfig(bad)).toThrow(ConfigError);
    expect(() => schedulerServiceConfig(bad)).toThrow(
      expect.objectContaining({ group: "filter_scheduler", option: "shuffle_best_same_weighed_hosts" }),
    );
  });
});
