import type { ServiceRecord } from "./compute-backend.js";

/** A compute node (Nova's ComputeNode) with the nova-compute service of its host. */
export interface HypervisorRecord {
  /** Database id (the `os-hypervisors` id before 2.53). */
  id: number;
  /** Node uuid (the `os-hypervisors` id from 2.53). */
  uuid: string;
  /** The node's name as its driver reports it (null only for a row written without one). */
  hypervisorHostname: string | null;
  /** The compute host that owns the node. */
  host: string;
  /** `QEMU`, `fake`, ... */
  hypervisorType: string;
  /** The hypervisor's version as an integer (1002003 for 1.2.3). */
  hypervisorVersion: number;
  /** The host's management address. */
  hostIp: string | null;
  /** Physical CPUs. */
  vcpus: number;
  /** RAM in MiB. */
  memoryMb: number;
  /** Local disk in GiB. */
  localGb: number;
  /** vCPUs claimed by instances. */
  vcpusUsed: number;
  /** RAM claimed by instances, MiB. */
  memoryMbUsed: number;
  /** Disk claimed by instances, GiB. */
  localGbUsed: number;
  /** RAM not claimed, MiB (may be negative with overcommit). */
  freeRamMb: number;
  /** Disk not claimed, GiB. */
  freeDiskGb: number;
  /** Instances with a task in progress. */
  currentWorkload: number;
  /** Instances on the node. */
  runningVms: number;
  /** Disk really free after thin provisioning, GiB, when the driver knows. */
  diskAvailableLeast: number | null;
  /** The driver's CPU description, a JSON text. */
  cpuInfo: string;
  /** The host's nova-compute service. */
  service: ServiceRecord;
}

/** A hypervisor list query. */
export interface HypervisorQuery {
  /** Only nodes whose hypervisor_hostname contains this text (Nova's SQL `LIKE '%pattern%'`). */
  hostnamePattern?: string;
  /** The most nodes to return. */
  limit?: number;
  /** The uuid of the last node of the previous page. */
  marker?: string;
}

/** The sums `GET /os-hypervisors/statistics` shows, over the nodes of enabled nova-compute services. */
export interface HypervisorStatistics {
  /** How many nodes were summed. */
  count: number;
  /** Σ vcpus. */
  vcpus: number;
  /** Σ memory_mb. */
  memoryMb: number;
  /** Σ local_gb. */
  localGb: number;
  /** Σ vcpus_used. */
  vcpusUsed: number;
  /** Σ memory_mb_used. */
  memoryMbUsed: number;
  /** Σ local_gb_used. */
  localGbUsed: number;
  /** Σ free_ram_mb. */
  freeRamMb: number;
  /** Σ free_disk_gb. */
  freeDiskGb: number;
  /** Σ current_workload. */
  currentWorkload: number;
  /** Σ running_vms. */
  runningVms: number;
  /** Σ disk_available_least. */
  diskAvailableLeast: number;
}

/** A server on a host, as `with_servers` lists it. */
export interface HostServer {
  /** Server id. */
  uuid: string;
  /** Nova's instance name (`instance-0000002a`), which Nova shows as `name` here. */
  name: string;
}

/** What an operator may change on a service. */
export interface ServiceChanges {
  /** Stop (true) or resume (false) scheduling to it. */
  disabled?: boolean;
  /** Why it was disabled; null clears it. */
  disabledReason?: string | null;
  /** Mark it down whatever its heartbeats say. */
  forcedDown?: boolean;
}
