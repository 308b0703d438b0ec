import type { ServiceRecord } from "./compute-backend.js";

/** A compute node's capacity and usage, as the resource tracker last saved them. */
export interface HypervisorResources {
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
}

/** A compute node (Nova's ComputeNode) with the nova-compute service of its host. */
export interface HypervisorRecord extends HypervisorResources {
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
export interface HypervisorStatistics extends HypervisorResources {
  /** How many nodes were summed. */
  count: number;
  /** Σ disk_available_least (a node that does not know counts 0). */
  diskAvailableLeast: number;
}

/** Nova's compute_node_statistics over nodes already chosen (those of enabled nova-compute services). */
export function sumHypervisorStatistics(
  nodes: readonly (HypervisorResources & { diskAvailableLeast: number | null })[],
): HypervisorStatistics {
  const sum = (pick: (n: (typeof nodes)[number]) => number | null) =>
    nodes.reduce((total, n) => total + (pick(n) ?? 0), 0);
  return {
    count: nodes.length,
    vcpus: sum((n) => n.vcpus),
    memoryMb: sum((n) => n.memoryMb),
    localGb: sum((n) => n.localGb),
    vcpusUsed: sum((n) => n.vcpusUsed),
    memoryMbUsed: sum((n) => n.memoryMbUsed),
    localGbUsed: sum((n) => n.localGbUsed),
    freeRamMb: sum((n) => n.freeRamMb),
    freeDiskGb: sum((n) => n.freeDiskGb),
    currentWorkload: sum((n) => n.currentWorkload),
    runningVms: sum((n) => n.runningVms),
    diskAvailableLeast: sum((n) => n.diskAvailableLeast),
  };
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
