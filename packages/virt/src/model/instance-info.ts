import type { PowerState } from "../power-state.js";

/** What a driver reports about one guest (Nova's InstanceInfo, with the figures libvirt's get_info gives). */
export interface InstanceInfo {
  /** Nova's power state of the guest. */
  readonly state: PowerState;
  /** The hypervisor's own id for the guest, when it has one. */
  readonly internalId?: string;
  /** Memory the guest may grow to, in KiB. */
  readonly maxMemoryKb?: number;
  /** Memory the guest has now, in KiB. */
  readonly memoryKb?: number;
  /** Virtual CPUs of the guest. */
  readonly vcpus?: number;
  /** CPU time used, in nanoseconds. */
  readonly cpuTimeNs?: number;
}
