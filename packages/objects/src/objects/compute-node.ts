import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** ComputeNode 1.19: a hypervisor's capacity and usage as its resource tracker reports it. */
export const ComputeNodeCodec = defineObject("ComputeNode", "1.19", {
  id: f.int(),
  uuid: f.uuid(),
  service_id: f.nullable(f.int()),
  host: f.nullable(f.string()),
  vcpus: f.int(),
  memory_mb: f.int(),
  local_gb: f.int(),
  vcpus_used: f.int(),
  memory_mb_used: f.int(),
  local_gb_used: f.int(),
  hypervisor_type: f.string(),
  hypervisor_version: f.int(),
  hypervisor_hostname: f.nullable(f.string()),
  free_ram_mb: f.nullable(f.int()),
  free_disk_gb: f.nullable(f.int()),
  current_workload: f.nullable(f.int()),
  running_vms: f.nullable(f.int()),
  cpu_info: f.nullable(f.string()),
  disk_available_least: f.nullable(f.int()),
  metrics: f.nullable(f.string()),
  stats: f.nullable(f.dictOfNullableStrings()),
  host_ip: f.nullable(f.string()),
  numa_topology: f.nullable(f.string()),
  supported_hv_specs: f.listOf(f.opaque()),
  pci_device_pools: f.nullable(f.opaque()),
  cpu_allocation_ratio: f.float(),
  ram_allocation_ratio: f.float(),
  disk_allocation_ratio: f.float(),
  mapped: f.int(),
  ...persistentFields,
});

/** A compute node (one hypervisor of a nova-compute host). */
export type ComputeNode = ObjectOf<typeof ComputeNodeCodec.fields>;

/** ComputeNodeList 1.17. */
export const ComputeNodeListCodec = defineObjectList("ComputeNodeList", "1.17", ComputeNodeCodec);
