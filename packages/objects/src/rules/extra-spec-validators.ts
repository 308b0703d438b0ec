// Nova's flavor extra spec validators (nova/api/validation/extra_specs), applied by the API from 2.86: a
// known key must carry a value of its kind; an unknown key in a namespace Nova knows is refused; any other
// key passes. Standard traits are taken by form (upper-case names) rather than from os-traits' list.

type ValueRule =
  | { type: "int"; min?: number; max?: number }
  | { type: "bool" }
  | { type: "str"; enum?: readonly string[]; pattern?: string };

interface SpecRule {
  /** The key's form (a full match), as Nova's `name_regex`. */
  name: RegExp;
  value: ValueRule;
}

const int = (min?: number, max?: number): ValueRule => ({
  type: "int",
  ...(min !== undefined ? { min } : {}),
  ...(max !== undefined ? { max } : {}),
});
const bool: ValueRule = { type: "bool" };
const str = (options: { enum?: readonly string[]; pattern?: string } = {}): ValueRule => ({
  type: "str",
  ...options,
});
const oneOf = (...values: string[]): ValueRule => str({ enum: values });

// A CPU set as Nova's hw:cpu_*_mask and hw:numa_cpus.N take it ("0-3,^2").
const CPU_SET = String.raw`\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*`;
const SHARES_LEVEL = ["custom", "high", "normal", "low"];
const GROUP = "([a-zA-Z0-9_-]{1,64})?";

/** Keys without parameters, by name. */
const EXACT: Record<string, ValueRule> = {
  // hw: (nova/api/validation/extra_specs/hw.py)
  "hw:boot_menu": bool,
  "hw:cpu_cores": int(1),
  "hw:cpu_dedicated_mask": str({ pattern: CPU_SET }),
  "hw:cpu_policy": oneOf("dedicated", "shared", "mixed"),
  "hw:cpu_realtime": bool,
  "hw:cpu_realtime_mask": str({ pattern: String.raw`(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*` }),
  "hw:cpu_sockets": int(1),
  "hw:cpu_thread_policy": oneOf("prefer", "isolate", "require"),
  "hw:cpu_threads": int(1),
  "hw:emulator_threads_policy": oneOf("isolate", "share"),
  "hw:ephemeral_encryption": bool,
  "hw:ephemeral_encryption_format": oneOf("plain", "luks", "luksv2"),
  "hw:hide_hypervisor_id": bool,
  "hw:locked_memory": bool,
  "hw:max_cpu_cores": int(1),
  "hw:max_cpu_sockets": int(1),
  "hw:max_cpu_threads": int(1),
  "hw:mem_encryption": bool,
  "hw:mem_page_size": str({ pattern: String.raw`(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)` }),
  "hw:numa_nodes": int(1),
  "hw:pci_numa_affinity_policy": oneOf("required", "preferred", "legacy", "socket"),
  "hw:pmem": str({ pattern: "([a-zA-Z0-9_]+(,)?)+" }),
  "hw:pmu": bool,
  "hw:serial_port_count": int(0),
  "hw:tpm_model": oneOf("tpm-tis", "tpm-crb"),
  "hw:tpm_version": oneOf("1.2", "2.0"),
  "hw:vif_multiqueue_enabled": bool,
  "hw:viommu_model": oneOf("intel", "smmuv3", "virtio", "auto"),
  "hw:watchdog_action": oneOf("none", "pause", "poweroff", "reset", "disabled"),
  // hw_rng:, hw_video:
  "hw_rng:allowed": bool,
  "hw_rng:rate_bytes": int(0),
  "hw_rng:rate_period": int(0),
  "hw_video:ram_max_mb": int(0),
  // os:
  "os:monitors": int(1, 8),
  "os:resolution": oneOf("1024x768", "1280x1024", "1600x1200", "1920x1200", "2560x1600", "3840x2160"),
  "os:secure_boot": oneOf("disabled", "required"),
  "os:vram": oneOf("64", "128", "256", "512", "1024"),
  // quota: (the libvirt and VMware drivers' tuning knobs)
  "quota:cpu_limit": int(0),
  "quota:cpu_period": int(0),
  "quota:cpu_quota": int(),
  "quota:cpu_reservation": int(),
  "quota:cpu_shares": int(0),
  "quota:cpu_shares_level": str({ enum: SHARES_LEVEL }),
  "quota:cpu_shares_share": int(0),
  "quota:disk_io_limit": int(0),
  "quota:disk_io_reservation": int(),
  "quota:disk_io_shares_level": str({ enum: SHARES_LEVEL }),
  "quota:disk_io_shares_share": int(0),
  "quota:disk_read_bytes_sec": int(0),
  "quota:disk_read_iops_sec": int(0),
  "quota:disk_total_bytes_sec": int(0),
  "quota:disk_total_iops_sec": int(0),
  "quota:disk_write_bytes_sec": int(0),
  "quota:disk_write_iops_sec": int(0),
  "quota:memory_limit": int(0),
  "quota:memory_reservation": int(),
  "quota:memory_shares_level": str({ enum: SHARES_LEVEL }),
  "quota:memory_shares_share": int(0),
  "quota:vif_inbound_average": int(0),
  "quota:vif_inbound_burst": int(0),
  "quota:vif_inbound_peak": int(0),
  "quota:vif_limit": int(0),
  "quota:vif_outbound_average": int(0),
  "quota:vif_outbound_burst": int(0),
  "quota:vif_outbound_peak": int(0),
  "quota:vif_reservation": int(),
  "quota:vif_shares_level": str({ enum: SHARES_LEVEL }),
  "quota:vif_shares_share": int(0),
  // Unnamespaced keys Nova knows.
  group_policy: oneOf("isolate", "none"),
  hide_hypervisor_id: bool,
  // accel:, pci_passthrough:, vmware:
  "accel:device_profile": str(),
  "pci_passthrough:alias": str({ pattern: String.raw`[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*` }),
  "vmware:hw_version": str(),
  "vmware:storage_policy": str(),
};

// capabilities: (ComputeCapabilitiesFilter): host state fields, some with `:sub:keys` filters.
const CAPABILITIES = [
  "aggregates",
  "cell_uuid",
  "cpu_allocation_ratio",
  "current_workload",
  "disk_allocation_ratio",
  "disk_available_least",
  "disk_mb_used",
  "failed_builds",
  "free_disk_gb",
  "free_disk_mb",
  "free_ram_mb",
  "host",
  "host_ip",
  "hypervisor_hostname",
  "hypervisor_type",
  "hypervisor_version",
  "id",
  "local_gb",
  "local_gb_used",
  "mapped",
  "memory_mb",
  "memory_mb_used",
  "num_instances",
  "num_io_ops",
  "ram_allocation_ratio",
  "running_vms",
  "service_id",
  "total_usable_disk_gb",
  "total_usable_ram_mb",
  "updated",
  "uuid",
  "vcpus",
  "vcpus_total",
  "vcpus_used",
];
const CAPABILITIES_WITH_FILTER = [
  "cpu_info",
  "instances",
  "limits",
  "metrics",
  "nodename",
  "numa_topology",
  "pci_device_pools",
  "pci_stats",
  "stats",
  "supported_hv_specs",
  "supported_instances",
];
for (const name of CAPABILITIES) EXACT[`capabilities:${name}`] = str();

// Placement's standard resource classes (os-resource-classes), requested as resources[group]:<CLASS>.
const RESOURCE_CLASSES = [
  "DISK_GB",
  "FPGA",
  "IPV4_ADDRESS",
  "MEMORY_MB",
  "MEM_ENCRYPTION_CONTEXT",
  "NET_BW_EGR_KILOBIT_PER_SEC",
  "NET_BW_IGR_KILOBIT_PER_SEC",
  "NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC",
  "NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC",
  "NET_PACKET_RATE_KILOPACKET_PER_SEC",
  "NUMA_CORE",
  "NUMA_MEMORY_MB",
  "NUMA_SOCKET",
  "NUMA_THREAD",
  "PCI_DEVICE",
  "PCPU",
  "PGPU",
  "SRIOV_NET_VF",
  "VCPU",
  "VGPU",
  "VGPU_DISPLAY_HEAD",
];

/** Keys with parameters, matched in turn after the exact names. */
const PATTERNS: readonly SpecRule[] = [
  { name: /^hw:numa_cpus\.\d+$/, value: str({ pattern: CPU_SET }) },
  { name: /^hw:numa_mem\.\d+$/, value: int(1) },
  {
    name: new RegExp(`^resources${GROUP}:(?:CUSTOM_[A-Z0-9_]+|${RESOURCE_CLASSES.join("|")})$`),
    value: int(),
  },
  { name: new RegExp(`^trait${GROUP}:[A-Z][A-Z0-9_]*$`), value: oneOf("required", "forbidden") },
  { name: /^aggregate_instance_extra_specs:.+$/s, value: str() },
  {
    name: new RegExp(String.raw`^capabilities:(?:${CAPABILITIES_WITH_FILTER.join("|")})(:\w+)*$`),
    value: str(),
  },
];

/** Namespaces Nova has validators for: an unknown key in one of them is an error. */
const NAMESPACES: readonly RegExp[] = [
  /^accel$/,
  /^aggregate_instance_extra_specs$/,
  /^capabilities$/,
  /^hw$/,
  /^hw_rng$/,
  /^hw_video$/,
  /^os$/,
  /^pci_passthrough$/,
  /^quota$/,
  new RegExp(`^resources${GROUP}$`),
  new RegExp(`^trait${GROUP}$`),
  /^vmware$/,
];

// oslo.utils strutils.bool_from_string(strict=True) spellings.
const TRUE_STRINGS = new Set(["1", "t", "true", "on", "y", "yes"]);
const FALSE_STRINGS = new Set(["0", "f", "false", "off", "n", "no"]);

function valueViolation(rule: ValueRule, value: string): string | undefined {
  switch (rule.type) {
    case "int": {
      // Python's int(): optional sign, digits (underscores between them), surrounding whitespace.
      if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) {
        return `Validation failed; '${value}' is not a valid integer value.`;
      }
      const n = Number(value.trim().replaceAll("_", ""));
      if (rule.max !== undefined && rule.max < n) {
        return `Validation failed; '${n}' is greater than the max value of '${rule.max}'.`;
      }
      if (rule.min !== undefined && rule.min > n) {
        return `Validation failed; '${n}' is less than the min value of '${rule.min}'.`;
      }
      return undefined;
    }
    case "bool": {
      const s = value.trim().toLowerCase();
      if (TRUE_STRINGS.has(s) || FALSE_STRINGS.has(s)) return undefined;
      return `Validation failed; '${value}' is not a valid boolean-like value.`;
    }
    case "str":
      if (rule.pattern !== undefined) {
        if (!new RegExp(`^(?:${rule.pattern})$`).test(value)) {
          return `Validation failed; '${value}' is not of the format '${rule.pattern}'.`;
        }
      } else if (rule.enum !== undefined && !rule.enum.includes(value)) {
        return `Validation failed; '${value}' is not one of: ${rule.enum.join(", ")}.`;
      }
      return undefined;
  }
}

/**
 * Why Nova (from microversion 2.86) refuses this extra spec, as its ValidationError says it, or undefined
 * when it is valid or unknown outside Nova's namespaces.
 */
export function extraSpecViolation(name: string, value: string): string | undefined {
  const exact = Object.hasOwn(EXACT, name) ? EXACT[name] : undefined;
  if (exact !== undefined) return valueViolation(exact, value);
  for (const rule of PATTERNS) if (rule.name.test(name)) return valueViolation(rule.value, value);
  const colon = name.indexOf(":");
  if (colon === -1) return undefined;
  const namespace = name.slice(0, colon);
  if (!NAMESPACES.some((ns) => ns.test(namespace))) return undefined;
  return `Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`;
}
