// The plain input shapes of the library. Field names are Nova's (HostState, ComputeNode, RequestSpec), so a
// service maps its objects onto them one to one.

/** The usage numbers of one compute node (Nova's ComputeNode record). */
export interface ComputeNodeUsage {
  /** Total vCPUs. */
  vcpus: number;
  /** vCPUs in use. */
  vcpus_used: number;
  /** Total memory (MB). */
  memory_mb: number;
  /** Memory in use (MB). */
  memory_mb_used: number;
  /** Memory left (MB), as the compute node reports it. */
  free_ram_mb: number;
  /** Total disk (GB). */
  local_gb: number;
  /** Disk in use (GB). */
  local_gb_used: number;
  /** Disk left (GB), as the compute node reports it. */
  free_disk_gb: number;
  /** Disk actually left on the hypervisor (GB); null when unknown. */
  disk_available_least?: number | null;
}

/** The compute service of a host, as ComputeFilter sees it. */
export interface ServiceInput {
  /** Disabled by an operator: ComputeFilter rejects the host. */
  disabled: boolean;
  /** Why it was disabled. */
  disabled_reason?: string | null;
  /** Forced down by an operator: counts as down whatever its heartbeats. */
  forced_down?: boolean;
  /** Last heartbeat, milliseconds since the epoch (Nova's last_seen_up, else created_at). */
  last_seen_up: number | null;
}

/** One PCI device pool; only `count` matters to the scheduler here (PCIWeigher). */
export interface PciPoolInput {
  /** Free devices in the pool. */
  count: number;
  /** PCI vendor id. */
  vendor_id?: string;
  /** PCI product id. */
  product_id?: string;
  /** NUMA node the devices are on. */
  numa_node?: number | null;
  /** Pool tags (physical_network, ...). */
  tags?: Record<string, string>;
}

/** One compute node (host, node) as the scheduler sees it: everything Nova's HostState is built from. */
export interface HostInput {
  /** The compute host's name. */
  host: string;
  /** The node's hypervisor hostname. */
  nodename: string;
  /** The compute node's UUID (its placement resource provider). */
  uuid: string;
  /** The cell the node is in. */
  cell_uuid: string;
  /** The host's IP address. */
  host_ip?: string | null;
  /** Hypervisor type (QEMU, fake, ...). */
  hypervisor_type?: string | null;
  /** Integer form, e.g. 7002000 for 7.2.0. */
  hypervisor_version?: number | null;
  /** Hypervisor's own name for the node. */
  hypervisor_hostname?: string | null;
  /** JSON text, as the compute node reports it. */
  cpu_info?: string | null;
  /** `[arch, hv_type, vm_mode]` triples (ImagePropertiesFilter). */
  supported_instances?: ReadonlyArray<readonly [string, string, string]> | null;
  /** The node's usage numbers. */
  compute_node: ComputeNodeUsage;
  /** vCPU overcommit ratio. */
  cpu_allocation_ratio: number;
  /** Memory overcommit ratio. */
  ram_allocation_ratio: number;
  /** Disk overcommit ratio. */
  disk_allocation_ratio: number;
  /** Placement inventory `reserved` amounts (resource fit only); default 0. */
  reserved_host_cpus?: number;
  /** Placement's reserved memory (MB). */
  reserved_host_memory_mb?: number;
  /** Placement's reserved disk (MB). */
  reserved_host_disk_mb?: number;
  /** Compute node stats, string to string (num_instances, io_workload, failed_builds, ...). */
  stats?: Readonly<Record<string, string>>;
  /** As the compute node stores them (ComputeNode.metrics; CPU percentages as fractions of 1). */
  metrics?: ReadonlyArray<{ name: string; value: number }>;
  /** The node's PCI device pools. */
  pci_pools?: ReadonlyArray<PciPoolInput>;
  /** The node's compute service. */
  service: ServiceInput;
  /** UUIDs of the instances on the node. */
  instances?: readonly string[];
}

/** A host aggregate; a host belongs to it when its name is in `hosts`. */
export interface AggregateInput {
  /** The aggregate's id. */
  id: number;
  /** Its name. */
  name?: string;
  /** Its uuid. */
  uuid?: string;
  /** Names of the hosts in it. */
  hosts: readonly string[];
  /** Its metadata (availability_zone, filter keys, multipliers). */
  metadata: Readonly<Record<string, string>>;
}

/** The flavor part of a request spec. */
export interface FlavorSpec {
  /** Flavor name. */
  name: string;
  /** Flavor id as the API shows it. */
  flavorid?: string;
  /** vCPUs. */
  vcpus: number;
  /** Memory (MB). */
  memory_mb: number;
  /** Root disk (GB). */
  root_gb: number;
  /** Ephemeral disk (GB). */
  ephemeral_gb: number;
  /** MB. */
  swap?: number;
  /** Extra specs (capabilities, aggregate keys, hw: and trait: keys). */
  extra_specs?: Readonly<Record<string, string>>;
}

/** A server group, with the hosts and members Nova's InstanceGroup carries. */
export interface InstanceGroupSpec {
  /** The group's uuid. */
  uuid?: string;
  /** The group's policy. */
  policy: "affinity" | "anti-affinity" | "soft-affinity" | "soft-anti-affinity" | (string & {});
  /** `max_server_per_host` as Nova stores it (a string) or a number. */
  rules?: Readonly<Record<string, string | number>> | null;
  /** UUIDs of the group's instances, including those being scheduled (as Nova fills it). */
  members: readonly string[];
  /** Hosts the group's instances are on. */
  hosts: readonly string[];
}

/** Where a move (or a boot with a requested host) must or should go. */
export interface RequestedDestination {
  /** Host the instance must go to. */
  host?: string | null;
  /** Node the instance must go to. */
  node?: string | null;
  /** Cell the instance must go to. */
  cell_uuid?: string | null;
  /** Whether a move may cross cells. */
  allow_cross_cell_move?: boolean;
}

/** What is being scheduled: Nova's RequestSpec, in the fields the filters and weighers read. */
export interface RequestSpec {
  /** The instance of a single-instance request (Nova's spec_obj.instance_uuid). */
  instance_uuid?: string | null;
  /** One UUID per instance to place; its length is the number of instances. */
  instance_uuids?: readonly string[] | null;
  /** Used when `instance_uuids` is absent (Nova's legacy path: no instance is recorded on the host). */
  num_instances?: number;
  /** Owning project. */
  project_id: string;
  /** Owning user. */
  user_id?: string;
  /** Requested availability zone. */
  availability_zone?: string | null;
  /** The flavor asked for. */
  flavor: FlavorSpec;
  /** The image booted from and its properties. */
  image?: { id?: string | null; properties?: Readonly<Record<string, string | number | boolean>> } | null;
  /** Every hint is a list, as in Nova. */
  scheduler_hints?: Readonly<Record<string, readonly string[]>> | null;
  /** The server group the instances join. */
  instance_group?: InstanceGroupSpec | null;
  /** Hosts never to use. */
  ignore_hosts?: readonly string[] | null;
  /** Hosts to use only (admin). */
  force_hosts?: readonly string[] | null;
  /** Nodes to use only (admin). */
  force_nodes?: readonly string[] | null;
  /** Where a move or targeted boot must go. */
  requested_destination?: RequestedDestination | null;
}
