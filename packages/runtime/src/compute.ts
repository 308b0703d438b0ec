// @nova/runtime/compute: what nova-compute needs. Nova forbids database access from computes, and this entry
// point keeps it so: nothing here imports @nova/db (or anything that does), so starting a compute never loads
// a database driver (compute-entry.test.ts checks the modules a started compute loaded).

import { type ComputeService, createComputeService } from "@nova/compute";
import type { NovaConfig } from "@nova/config";
import { systemClock as serviceClock } from "@nova/core";
import type { Transport } from "@nova/messaging";
import type { ComputeDriver } from "@nova/virt";
import type { NovaLogger } from "./logger.js";

export { ComputeDriverConfigError, createComputeDriver } from "./compute-driver.js";

const num = (v: number | undefined) => v;

/** One nova-compute for `host` over `driver`. */
export function buildCompute(
  config: NovaConfig,
  deps: { transport: Transport; driver: ComputeDriver; host: string; logger: NovaLogger },
): ComputeService {
  const d = config.DEFAULT;
  return createComputeService({
    host: deps.host,
    transport: deps.transport,
    driver: deps.driver,
    clock: serviceClock,
    logger: deps.logger,
    config: {
      initial_cpu_allocation_ratio: d.initial_cpu_allocation_ratio,
      initial_ram_allocation_ratio: d.initial_ram_allocation_ratio,
      initial_disk_allocation_ratio: d.initial_disk_allocation_ratio,
      cpu_allocation_ratio: d.cpu_allocation_ratio > 0 ? d.cpu_allocation_ratio : null,
      ram_allocation_ratio: d.ram_allocation_ratio > 0 ? d.ram_allocation_ratio : null,
      disk_allocation_ratio: d.disk_allocation_ratio > 0 ? d.disk_allocation_ratio : null,
      my_ip: d.my_ip,
      instance_name_template: d.instance_name_template,
      report_interval: d.report_interval,
      service_down_time: d.service_down_time,
      update_resources_interval: d.update_resources_interval,
      rpc_response_timeout: num(d.rpc_response_timeout),
      long_rpc_timeout: num(d.long_rpc_timeout),
    } as never,
  });
}
