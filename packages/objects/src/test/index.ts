// Builders other packages use in their tests: valid objects with Nova-like defaults.
import type { ComputeNode } from "../objects/compute-node.js";
import type { Flavor } from "../objects/flavor.js";
import type { Service } from "../objects/service.js";

const epoch = new Date("2026-11-27T07:00:00Z");

/** A full, schema-valid flavor (peer.tiny as in the captured traffic), with overrides. */
export function sampleFlavor(overrides: Partial<Flavor> = {}): Flavor {
  return {
    id: 1,
    name: "peer.tiny",
    memory_mb: 64,
    vcpus: 1,
    root_gb: 1,
    ephemeral_gb: 0,
    flavorid: "1",
    swap: 0,
    rxtx_factor: 1.0,
    vcpu_weight: 0,
    disabled: false,
    is_public: true,
    extra_specs: {},
    projects: [],
    description: null,
    created_at: epoch,
    updated_at: null,
    deleted_at: null,
    deleted: false,
    ...overrides,
  };
}

/** A full, schema-valid nova-compute service record, with overrides. */
export function sampleService(overrides: Partial<Service> = {}): Service {
  return {
    id: 1,
    uuid: "65b96477-62cb-4f7c-806f-28773ba3e5df",
    host: "peer-cpu-1",
    binary: "nova-compute",
    topic: "compute",
    report_count: 0,
    disabled: false,
    disabled_reason: null,
    availability_zone: null,
    last_seen_up: null,
    forced_down: false,
    version: 64,
    created_at: epoch,
    updated_at: null,
    deleted_at: null,
    deleted: false,
    ...overrides,
  };
}

/** A full, schema-valid compute node (fake hypervisor) with overrides. */
export function sampleComputeNode(overrides: Partial<ComputeNode> = {}): ComputeNode {
  return {
    id: 1,
    uuid: "4169b061-8681-413d-b721-3a382e7b692a",
    service_id: null,
    host: "peer-cpu-1",
    vcpus: 8,
    memory_mb: 16384,
    local_gb: 100,
    vcpus_used: 0,
    memory_mb_used: 0,
    local_gb_used: 0,
    hypervisor_type: "fake",
    hypervisor_version: 1000,
    hypervisor_hostname: "peer-cpu-1",
    free_ram_mb: 16384,
    free_disk_gb: 100,
    current_workload: 0,
    running_vms: 0,
    cpu_info: "{}",
    disk_available_least: 100,
    metrics: "[]",
    stats: {},
    host_ip: "127.0.0.1",
    numa_topology: null,
    supported_hv_specs: [],
    pci_device_pools: null,
    cpu_allocation_ratio: 16.0,
    ram_allocation_ratio: 1.5,
    disk_allocation_ratio: 1.0,
    mapped: 1,
    created_at: epoch,
    updated_at: null,
    deleted_at: null,
    deleted: false,
    ...overrides,
  };
}
