// The plain input shapes of the library. Field names are Nova's (HostState, ComputeNode, RequestSpec), so a
// service maps its objects onto them one to one.

/** The usage numbers of one compute node (Nova's ComputeNode record). */
export interface ComputeNodeUsage {
  vcpus: number;
  vcpus_used: number;
  memory_mb: number;
  memory_mb_used: number;
  free_ram_mb: number;
  local_gb: number;
  local_gb_used: number;
  free_disk_gb: number;
  /** Disk actually left on the hypervisor (GB); null when unknown. */
  disk_available_least?: number | null;
}

/** The compute service of a host, as ComputeFilter sees it. */
export interface ServiceInput {
  disabled: boolean;
  disabled_reason?: string | null;
  forced_down?: boolean;
  /** Last heartbeat, milliseconds since the epoch (Nova's last_seen_up, else created_at). */
  last_seen_up: number | null;
}

/** One PCI device pool; only `count` matters to the scheduler here (PCIWeigher). */
export interface PciPoolInput {
  count: number;
  vendor_id?: string;
  product_id?: string;
  numa_node?: number | null;
  tags?: Record<string, string>;
}

/** One compute node (host, node) as the scheduler sees it: everything Nova's HostState is built from. */
export interface HostInput {
  host: string;
  nodename: string;
  /** The compute node's UUID (its placement resource provider). */
  uuid: string;
  cell_uuid: string;
  host_ip?: string | null;
  hypervisor_type?: string | null;
  /** Integer form, e.g. 7002000 for 7.2.0. */
  hypervisor_version?: number | null;
  hypervisor_hostname?: string | null;
  /** JSON text, as the compute node reports it. */
  cpu_info?: string | null;
  /** `[arch, hv_type, vm_mode]` triples (ImagePropertiesFilter). */
  supported_instances?: ReadonlyArray<readonly [string, string, string]> | null;
  compute_node: ComputeNodeUsage;
  cpu_allocation_ratio: number;
  ram_allocation_ratio: number;
  disk_allocation_ratio: number;
  /** Placement inventory `reserved` amounts (resource fit only); default 0. */
  reserved_host_cpus?: number;
  reserved_host_memory_mb?: number;
  reserved_host_disk_mb?: number;
  /** Compute node stats, string to string (num_instances, io_workload, failed_builds, ...). */
  stats?: Readonly<Record<string, string>>;
  /** As the compute node stores them (ComputeNode.metrics; CPU percentages as fractions of 1). */
  metrics?: ReadonlyArray<{ name: string; value: number }>;
  pci_pools?: ReadonlyArray<PciPoolInput>;
  service: ServiceInput;
  /** UUIDs of the instances on the node. */
  instances?: readonly string[];
}

/** A host aggregate; a host belongs to it when its name is in `hosts`. */
export interface AggregateInput {
  id: number;
  name?: string;
  uuid?: string;
  hosts: readonly string[];
  metadata: Readonly<Record<string, string>>;
}

/** The flavor part of a request spec. */
export interface FlavorSpec {
  name: string;
  flavorid?: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  /** MB. */
  swap?: number;
  extra_specs?: Readonly<Record<string, string>>;
}

/** A server group, with the hosts and members Nova's InstanceGroup carries. */
export interface InstanceGroupSpec {
  uuid?: string;
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
  host?: string | null;
  node?: string | null;
  cell_uuid?: string | null;
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
  project_id: string;
  user_id?: string;
  availability_zone?: string | null;
  flavor: FlavorSpec;
  image?: { id?: string | null; properties?: Readonly<Record<string, string | number | boolean>> } | null;
  /** Every hint is a list, as in Nova. */
  scheduler_hints?: Readonly<Record<string, readonly string[]>> | null;
  instance_group?: InstanceGroupSpec | null;
  ignore_hosts?: readonly string[] | null;
  force_hosts?: readonly string[] | null;
  force_nodes?: readonly string[] | null;
  requested_destination?: RequestedDestination | null;
}
