import { AggregateSet } from "./aggregate-set.js";
import { pyInt } from "./python-semantics.js";
import type { HostInput, PciPoolInput, ServiceInput } from "./types.js";

/**
 * The scheduler's view of one compute node, with Nova's HostState attribute names (JsonFilter's `$free_ram_mb`
 * and ComputeCapabilitiesFilter's keys read them by name). Read it; the host manager owns the writes.
 */
export class HostState {
  /** Position in the host manager's input order (ties keep this order). */
  position = 0;
  /** The compute host's name. */
  readonly host: string;
  /** The node's hypervisor hostname. */
  readonly nodename: string;
  /** The compute node's uuid. */
  uuid: string;
  /** The cell the node is in. */
  cell_uuid: string;
  /** The host's IP address. */
  host_ip: string | null = null;
  /** Hypervisor type. */
  hypervisor_type: string | null = null;
  /** Hypervisor version, as an integer. */
  hypervisor_version: number | null = null;
  /** Hypervisor's own name for the node. */
  hypervisor_hostname: string | null = null;
  /** CPU description (JSON text). */
  cpu_info: string | null = null;
  /** `[arch, hv_type, vm_mode]` triples the node can run. */
  supported_instances: ReadonlyArray<readonly [string, string, string]> = [];
  /** Memory (MB) after the allocation ratio. */
  total_usable_ram_mb = 0;
  /** Disk (GB) after the allocation ratio. */
  total_usable_disk_gb = 0;
  /** Disk in use (MB). */
  disk_mb_used = 0;
  /** Memory left (MB), claims included. */
  free_ram_mb = 0;
  /** Disk left (MB), claims included. */
  free_disk_mb = 0;
  /** Total vCPUs. */
  vcpus_total = 0;
  /** vCPUs in use, claims included. */
  vcpus_used = 0;
  /** Instances on the node (stats num_instances). */
  num_instances = 0;
  /** Instances in I/O-heavy states (stats io_workload). */
  num_io_ops = 0;
  /** Recent failed builds (stats failed_builds). */
  failed_builds = 0;
  /** vCPU overcommit ratio. */
  cpu_allocation_ratio = 1.0;
  /** Memory overcommit ratio. */
  ram_allocation_ratio = 1.0;
  /** Disk overcommit ratio. */
  disk_allocation_ratio = 1.0;
  /** Compute node stats, string to string. */
  stats: Readonly<Record<string, string>> = {};
  /** Compute node metrics (MetricsFilter, MetricsWeigher). */
  metrics: ReadonlyArray<{ name: string; value: number }> = [];
  /** PCI device pools. */
  pci_pools: ReadonlyArray<PciPoolInput> = [];
  /** Sum of the PCI pools' free counts. */
  pci_free_total = 0;
  /** The node's compute service (ComputeFilter). */
  service: ServiceInput = { disabled: false, last_seen_up: null };
  /** The host's aggregates, shared with every host in the same set. */
  aggregateSet: AggregateSet = new AggregateSet("", []);
  /** Uuids of the instances on the node. */
  readonly instances = new Set<string>();
  /** Limits the filters set for the claim (Nova's HostState.limits). */
  limits: Record<string, unknown> = {};
  /** Placement's view (resource fit): used amounts and inventory. */
  memory_mb_used = 0;
  /** Disk in use (GB), as placement counts it. */
  local_gb_used = 0;
  /** Placement's reserved vCPUs. */
  reserved_host_cpus = 0;
  /** Placement's reserved memory (MB). */
  reserved_host_memory_mb = 0;
  /** Placement's reserved disk (MB). */
  reserved_host_disk_mb = 0;
  /** Key of (hypervisor_version, supported_instances): hosts with equal keys answer ImagePropertiesFilter alike. */
  imageSupportKey = "";
  /** Interned `imageSupportKey` (set by the host manager). */
  imageSupportId = 0;
  /** Bumped on every change, so cached per-host answers know when to recompute. */
  generation = 0;

  /**
   * A host state from the input's compute node, service and instances (Nova's `_update_from_compute_node`).
   */
  constructor(input: HostInput) {
    this.host = input.host;
    this.nodename = input.nodename;
    this.uuid = input.uuid;
    this.cell_uuid = input.cell_uuid;
    this.updateFromComputeNode(input);
  }

  /** Nova's HostState._update_from_compute_node plus the service and instance list. */
  updateFromComputeNode(input: HostInput): void {
    const cn = input.compute_node;
    this.uuid = input.uuid;
    this.cell_uuid = input.cell_uuid;
    let freeGb = cn.free_disk_gb;
    const least = cn.disk_available_least;
    if (least !== null && least !== undefined) freeGb = Math.min(least, freeGb);
    this.free_disk_mb = freeGb * 1024;
    this.disk_mb_used = cn.local_gb_used * 1024;
    this.free_ram_mb = cn.free_ram_mb;
    this.total_usable_ram_mb = cn.memory_mb;
    this.total_usable_disk_gb = cn.local_gb;
    this.vcpus_total = cn.vcpus;
    this.vcpus_used = cn.vcpus_used;
    this.memory_mb_used = cn.memory_mb_used;
    this.local_gb_used = cn.local_gb_used;
    this.host_ip = input.host_ip ?? null;
    this.hypervisor_type = input.hypervisor_type ?? null;
    this.hypervisor_version = input.hypervisor_version ?? null;
    this.hypervisor_hostname = input.hypervisor_hostname ?? null;
    this.cpu_info = input.cpu_info ?? null;
    this.supported_instances = input.supported_instances ?? [];
    this.imageSupportKey = `${this.hypervisor_version}|${this.supported_instances.map((t) => t.join(",")).join(";")}`;
    this.stats = input.stats ?? {};
    this.num_instances = statInt(this.stats, "num_instances");
    this.num_io_ops = statInt(this.stats, "io_workload");
    this.failed_builds = statInt(this.stats, "failed_builds");
    this.metrics = (input.metrics ?? []).map(monitorMetric);
    this.pci_pools = input.pci_pools ?? [];
    this.pci_free_total = this.pci_pools.reduce((s, p) => s + p.count, 0);
    this.cpu_allocation_ratio = input.cpu_allocation_ratio;
    this.ram_allocation_ratio = input.ram_allocation_ratio;
    this.disk_allocation_ratio = input.disk_allocation_ratio;
    this.reserved_host_cpus = input.reserved_host_cpus ?? 0;
    this.reserved_host_memory_mb = input.reserved_host_memory_mb ?? 0;
    this.reserved_host_disk_mb = input.reserved_host_disk_mb ?? 0;
    this.service = normalizeService(input.service);
    this.generation++;
  }

  /** The service is up: not forced down and heard from within `serviceDownTime` seconds (either side). */
  isUp(nowMs: number, serviceDownTime: number): boolean {
    if (this.service.forced_down) return false;
    const last = this.service.last_seen_up;
    if (last === null) return false;
    return Math.abs((nowMs - last) / 1000) <= serviceDownTime;
  }
}

/** A service record in one fixed shape (keeps property access monomorphic on the hot path). */
export function normalizeService(s: ServiceInput): ServiceInput {
  return {
    disabled: s.disabled,
    disabled_reason: s.disabled_reason ?? null,
    forced_down: s.forced_down ?? false,
    last_seen_up: s.last_seen_up ?? null,
  };
}

// MonitorMetricList.from_json: CPU percentages are stored as fractions and scaled back by 100, then the
// value becomes an IntegerField (truncated).
const PERCENT_METRICS = new Set([
  "cpu.user.percent",
  "cpu.kernel.percent",
  "cpu.idle.percent",
  "cpu.iowait.percent",
  "cpu.percent",
]);

function monitorMetric(m: { name: string; value: number }): { name: string; value: number } {
  const v = PERCENT_METRICS.has(m.name) ? m.value * 100 : m.value;
  return { name: m.name, value: Math.trunc(v) };
}

function statInt(stats: Readonly<Record<string, string>>, key: string): number {
  const v = stats[key];
  if (v === undefined) return 0;
  return pyInt(v);
}

/** Nova's HostState attribute names (ComputeCapabilitiesFilter's hasattr, JsonFilter's getattr). */
export const HOST_STATE_ATTRIBUTES: ReadonlySet<string> = new Set([
  "host",
  "nodename",
  "uuid",
  "total_usable_ram_mb",
  "total_usable_disk_gb",
  "disk_mb_used",
  "free_ram_mb",
  "free_disk_mb",
  "vcpus_total",
  "vcpus_used",
  "pci_stats",
  "numa_topology",
  "num_instances",
  "num_io_ops",
  "failed_builds",
  "host_ip",
  "hypervisor_type",
  "hypervisor_version",
  "hypervisor_hostname",
  "cpu_info",
  "supported_instances",
  "limits",
  "metrics",
  "aggregates",
  "instances",
  "ram_allocation_ratio",
  "cpu_allocation_ratio",
  "disk_allocation_ratio",
  "cell_uuid",
  "updated",
  "service",
  "stats",
]);

/** Attributes whose Python type is float (str() of them ends in ".0" when whole). */
export const FLOAT_ATTRIBUTES: ReadonlySet<string> = new Set([
  "ram_allocation_ratio",
  "cpu_allocation_ratio",
  "disk_allocation_ratio",
]);

/** Sentinel for attribute values that are Python objects, not dicts (service, metrics, pci_stats, ...). */
export const OPAQUE = Symbol("opaque");

/** getattr(host_state, name, None) as a JSON-like Python value (objects that aren't dicts are OPAQUE). */
export function hostAttribute(h: HostState, name: string): unknown {
  switch (name) {
    case "stats":
    case "limits":
      return name === "stats" ? h.stats : h.limits;
    case "instances":
      return Object.fromEntries([...h.instances].map((u) => [u, OPAQUE]));
    case "aggregates":
      return h.aggregateSet.aggregates.map(() => OPAQUE);
    case "supported_instances":
      return h.supported_instances.map((t) => [...t]);
    case "service":
    case "metrics":
    case "updated":
      return OPAQUE;
    case "pci_stats":
      return h.pci_pools.length > 0 ? OPAQUE : null;
    case "numa_topology":
      return null;
    default: {
      if (!HOST_STATE_ATTRIBUTES.has(name)) return undefined;
      return (h as unknown as Record<string, unknown>)[name] ?? null;
    }
  }
}
