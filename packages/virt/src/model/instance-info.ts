import type { PowerState } from "../power-state.js";

/** What a driver reports about one guest (Nova's InstanceInfo, with the figures libvirt's get_info gives). */
export interface InstanceInfo {
  readonly state: PowerState;
  /** The hypervisor's own id for the guest, when it has one. */
  readonly internalId?: string;
  readonly maxMemoryKb?: number;
  readonly memoryKb?: number;
  readonly vcpus?: number;
  /** CPU time used, in nanoseconds. */
  readonly cpuTimeNs?: number;
}
