// @nova/runtime/compute: what nova-compute needs. Nova forbids database access from computes, and this entry
// point keeps it so: nothing here imports @nova/db (or anything that does), so starting a compute never loads
// a database driver (compute-entry.test.ts checks the modules a started compute loaded).

import {
  type ComputeConfig,
  type ComputeService,
  createComputeService,
  parseComputeConfig,
} from "@nova/compute";
import { type NovaConfig, parseGroup } from "@nova/config";
import { systemClock } from "@nova/core";
import type { ImageStore } from "@nova/image-catalog";
import type { Transport } from "@nova/messaging";
import type { InstanceActivityObserver } from "@nova/objects";
import type { ComputeDriver } from "@nova/virt";
import type { NovaLogger } from "./logger.js";
import type { LoadedServiceGroupDriver } from "./servicegroup-driver.js";
import { messagingOptions } from "./transport.js";

export { ComputeDriverConfigError, createComputeDriver, loadComputeDriver } from "./compute-driver.js";

/** nova-compute's slice of nova.conf, parsed as @nova/compute reads it. */
export function computeConfig(config: Pick<NovaConfig, "DEFAULT" | "raw" | "upgrade_levels">): ComputeConfig {
  const d = config.DEFAULT;
  // Nova: an unset or 0.0 `*_allocation_ratio` leaves each node's own ratio.
  const forced = (ratio: number) => (ratio > 0 ? ratio : null);
  return parseGroup(config, "DEFAULT", () =>
    parseComputeConfig({
      initial_cpu_allocation_ratio: d.initial_cpu_allocation_ratio,
      initial_ram_allocation_ratio: d.initial_ram_allocation_ratio,
      initial_disk_allocation_ratio: d.initial_disk_allocation_ratio,
      cpu_allocation_ratio: forced(d.cpu_allocation_ratio),
      ram_allocation_ratio: forced(d.ram_allocation_ratio),
      disk_allocation_ratio: forced(d.disk_allocation_ratio),
      reserved_host_cpus: d.reserved_host_cpus,
      reserved_host_memory_mb: d.reserved_host_memory_mb,
      reserved_host_disk_mb: d.reserved_host_disk_mb,
      my_ip: d.my_ip,
      instance_name_template: d.instance_name_template,
      report_interval: d.report_interval,
      service_down_time: d.service_down_time,
      update_resources_interval: d.update_resources_interval,
      allow_resize_to_same_host: d.allow_resize_to_same_host,
      resize_confirm_window: d.resize_confirm_window,
      reclaim_instance_interval: d.reclaim_instance_interval,
      shelved_offload_time: d.shelved_offload_time,
      shelved_poll_interval: d.shelved_poll_interval,
      rpc_response_timeout: messagingOptions(config).rpc_response_timeout,
      long_rpc_timeout: d.long_rpc_timeout,
      upgrade_levels: {
        ...(config.upgrade_levels.conductor ? { conductor: config.upgrade_levels.conductor } : {}),
        ...(config.upgrade_levels.scheduler ? { scheduler: config.upgrade_levels.scheduler } : {}),
      },
    }),
  );
}

/** One nova-compute for `host` over `driver`. */
export function buildCompute(
  config: NovaConfig,
  deps: {
    transport: Transport;
    driver: ComputeDriver;
    host: string;
    logger: NovaLogger;
    images?: ImageStore;
    /** Faults by the error's class (a process's `telemetry.activityObserver`). */
    activity?: InstanceActivityObserver | undefined;
    /** The servicegroup driver `servicegroup_driver` named (loadServiceGroupDriver); `db` when absent. */
    serviceGroup?: LoadedServiceGroupDriver | undefined;
  },
): ComputeService {
  return createComputeService({
    ...(deps.images ? { images: deps.images } : {}),
    ...(deps.activity ? { activity: deps.activity } : {}),
    ...(deps.serviceGroup ? { serviceGroup: deps.serviceGroup.serviceGroup } : {}),
    host: deps.host,
    transport: deps.transport,
    driver: deps.driver,
    clock: systemClock,
    logger: deps.logger,
    config: computeConfig(config),
  });
}
