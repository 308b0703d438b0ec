import type { ComputeNodeRecord, ServiceRecord } from "@nova/db";
import type { HostInput, PciPoolInput } from "@nova/scheduler";

/** What, besides the compute node row, goes into one host state. */
export interface HostInputExtras {
  /** The uuid of the cell the host is in. */
  cellUuid: string;
  /** The nova-compute service of the node's host. */
  service: ServiceRecord;
  /** UUIDs of the instances on the host (Nova keeps them per host, not per node). */
  instances: Iterable<string>;
  /**
   * Instances this scheduler placed on the node since the compute last reported its stats: counted in
   * num_instances and io_workload until then, as Nova's consume_from_request does.
   */
  placedSinceReport: number;
}

/** The host the node belongs to, or null for a node no compute host owns (never schedulable). */
export function nodeHost(node: ComputeNodeRecord): string | null {
  return node.host ?? null;
}

/** The node name Nova schedules to: the hypervisor hostname, else the host. */
export function nodeName(node: ComputeNodeRecord): string {
  return node.hypervisor_hostname ?? node.host ?? node.uuid;
}

/** Maps a cell database compute node (and its service) onto @nova/scheduler's plain host input. */
export function hostInputFrom(node: ComputeNodeRecord, extras: HostInputExtras): HostInput {
  const service = extras.service;
  const stats: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.stats ?? {})) if (v !== null) stats[k] = v;
  if (extras.placedSinceReport > 0) {
    for (const key of ["num_instances", "io_workload"]) {
      const n = Number.parseInt(stats[key] ?? "0", 10);
      stats[key] = String((Number.isFinite(n) ? n : 0) + extras.placedSinceReport);
    }
  }
  // Nova's servicegroup rule reads last_seen_up, else created_at (a service that never reported yet).
  const lastSeen = service.last_seen_up ?? service.created_at ?? null;
  return {
    host: node.host ?? "",
    nodename: nodeName(node),
    uuid: node.uuid,
    cell_uuid: extras.cellUuid,
    host_ip: node.host_ip ?? null,
    hypervisor_type: node.hypervisor_type ?? null,
    hypervisor_version: node.hypervisor_version ?? null,
    hypervisor_hostname: node.hypervisor_hostname ?? null,
    cpu_info: node.cpu_info ?? null,
    supported_instances: supportedInstances(node.supported_hv_specs),
    compute_node: {
      vcpus: node.vcpus,
      vcpus_used: node.vcpus_used,
      memory_mb: node.memory_mb,
      memory_mb_used: node.memory_mb_used,
      free_ram_mb: node.free_ram_mb ?? node.memory_mb - node.memory_mb_used,
      local_gb: node.local_gb,
      local_gb_used: node.local_gb_used,
      free_disk_gb: node.free_disk_gb ?? node.local_gb - node.local_gb_used,
      disk_available_least: node.disk_available_least ?? null,
    },
    cpu_allocation_ratio: node.cpu_allocation_ratio,
    ram_allocation_ratio: node.ram_allocation_ratio,
    disk_allocation_ratio: node.disk_allocation_ratio,
    stats,
    metrics: metrics(node.metrics),
    pci_pools: pciPools(node.pci_device_pools),
    service: {
      disabled: service.disabled,
      disabled_reason: service.disabled_reason ?? null,
      forced_down: service.forced_down,
      last_seen_up: lastSeen ? lastSeen.getTime() : null,
    },
    instances: [...extras.instances],
  };
}

type Triple = readonly [string, string, string];

// The column holds Nova's [arch, hv_type, vm_mode] triples; the object form is a list of HVSpec primitives.
function supportedInstances(specs: readonly unknown[] | null | undefined): Triple[] {
  const out: Triple[] = [];
  for (const s of specs ?? []) {
    if (Array.isArray(s) && s.length === 3 && s.every((x) => typeof x === "string")) {
      out.push([s[0], s[1], s[2]] as Triple);
      continue;
    }
    const data = dataOf(s);
    if (
      data &&
      typeof data.arch === "string" &&
      typeof data.hv_type === "string" &&
      typeof data.vm_mode === "string"
    ) {
      out.push([data.arch, data.hv_type, data.vm_mode]);
    }
  }
  return out;
}

// ComputeNode.metrics is the JSON text of MonitorMetric dicts ({name, value, timestamp, source}).
function metrics(text: string | null | undefined): Array<{ name: string; value: number }> {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((m) => {
    const r = m as { name?: unknown; value?: unknown };
    return typeof r.name === "string" && typeof r.value === "number"
      ? [{ name: r.name, value: r.value }]
      : [];
  });
}

// PciDevicePoolList primitive ({objects: [PciDevicePool]}) or a plain list of pool dicts.
function pciPools(pools: unknown): PciPoolInput[] {
  if (pools === null || pools === undefined) return [];
  const list = Array.isArray(pools) ? pools : ((dataOf(pools)?.objects as unknown[] | undefined) ?? []);
  return list.flatMap((p) => {
    const d = dataOf(p) ?? (p as Record<string, unknown>);
    return typeof d.count === "number" ? [{ count: d.count }] : [];
  });
}

function dataOf(v: unknown): Record<string, unknown> | null {
  if (typeof v !== "object" || v === null) return null;
  const data = (v as Record<string, unknown>)["nova_object.data"];
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : null;
}
