import type { ComputeNodeRecord, ServiceRecord } from "@nova/db";
import { describe, expect, it } from "vitest";
import { hostInputFrom } from "./host-input.js";

const at = new Date("2026-11-27T09:00:00Z");

function node(overrides: Partial<ComputeNodeRecord> = {}): ComputeNodeRecord {
  return {
    id: 1,
    uuid: "node-1",
    service_id: 1,
    host: "cpu-1",
    hypervisor_hostname: "cpu-1.example.org",
    vcpus: 16,
    memory_mb: 32768,
    local_gb: 500,
    vcpus_used: 2,
    memory_mb_used: 4096,
    local_gb_used: 40,
    hypervisor_type: "QEMU",
    hypervisor_version: 8002000,
    free_ram_mb: 28672,
    free_disk_gb: 460,
    current_workload: 0,
    running_vms: 2,
    cpu_info: '{"arch": "x86_64"}',
    disk_available_least: 400,
    metrics: JSON.stringify([{ name: "cpu.percent", value: 0.25, timestamp: "x", source: "libvirt" }]),
    stats: { num_instances: "2", io_workload: "1", failed_builds: null },
    host_ip: "10.0.0.5",
    numa_topology: null,
    supported_hv_specs: [
      {
        "nova_object.name": "HVSpec",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.2",
        "nova_object.data": { arch: "x86_64", hv_type: "kvm", vm_mode: "hvm" },
      },
    ],
    pci_device_pools: {
      "nova_object.name": "PciDevicePoolList",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.1",
      "nova_object.data": {
        objects: [
          {
            "nova_object.name": "PciDevicePool",
            "nova_object.namespace": "nova",
            "nova_object.version": "1.1",
            "nova_object.data": { count: 3 },
          },
        ],
      },
    },
    cpu_allocation_ratio: 4,
    ram_allocation_ratio: 1.5,
    disk_allocation_ratio: 1,
    mapped: 1,
    generation: 7,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    deleted: false,
    ...overrides,
  } as ComputeNodeRecord;
}

const service: ServiceRecord = {
  id: 1,
  uuid: "svc-1",
  host: "cpu-1",
  binary: "nova-compute",
  topic: "compute",
  report_count: 3,
  disabled: true,
  disabled_reason: "maintenance",
  last_seen_up: null,
  forced_down: false,
  version: 64,
  created_at: at,
  updated_at: null,
  deleted_at: null,
  deleted: false,
};

describe("compute node row to @nova/scheduler host input", () => {
  it("maps usage, capabilities, stats, metrics, PCI pools and the service", () => {
    const h = hostInputFrom(node(), { cellUuid: "cell-1", service, instances: ["i1"], placedSinceReport: 0 });
    expect(h).toMatchObject({
      host: "cpu-1",
      nodename: "cpu-1.example.org",
      uuid: "node-1",
      cell_uuid: "cell-1",
      hypervisor_version: 8002000,
      supported_instances: [["x86_64", "kvm", "hvm"]],
      compute_node: {
        vcpus: 16,
        vcpus_used: 2,
        free_ram_mb: 28672,
        free_disk_gb: 460,
        disk_available_least: 400,
      },
      cpu_allocation_ratio: 4,
      ram_allocation_ratio: 1.5,
      stats: { num_instances: "2", io_workload: "1" },
      metrics: [{ name: "cpu.percent", value: 0.25 }],
      pci_pools: [{ count: 3 }],
      // Never reported yet: liveness counts from created_at, as Nova's servicegroup does.
      service: {
        disabled: true,
        disabled_reason: "maintenance",
        forced_down: false,
        last_seen_up: at.getTime(),
      },
      instances: ["i1"],
    });
  });

  it("counts this scheduler's placements since the compute's last stats, and reads plain triples", () => {
    const h = hostInputFrom(
      node({ supported_hv_specs: [["aarch64", "qemu", "hvm"]] as never, stats: null }),
      {
        cellUuid: "cell-1",
        service: { ...service, last_seen_up: new Date(at.getTime() + 5000) },
        instances: [],
        placedSinceReport: 2,
      },
    );
    expect(h.supported_instances).toEqual([["aarch64", "qemu", "hvm"]]);
    expect(h.stats).toEqual({ num_instances: "2", io_workload: "2" });
    expect(h.service.last_seen_up).toBe(at.getTime() + 5000);
  });
});
