import type { HostInput, RequestSpec } from "../types.js";

/** A plausible compute node for tests: 32 vCPUs, 128 GiB, 2 TB, up and enabled, heard from at `now`. */
export function fakeHost(
  host: string,
  overrides: Partial<Omit<HostInput, "compute_node">> & {
    compute_node?: Partial<HostInput["compute_node"]>;
  } = {},
  now = 0,
): HostInput {
  const { compute_node, ...rest } = overrides;
  const cn = {
    vcpus: 32,
    vcpus_used: 0,
    memory_mb: 131072,
    memory_mb_used: 0,
    free_ram_mb: 131072,
    local_gb: 2000,
    local_gb_used: 0,
    free_disk_gb: 2000,
    disk_available_least: null,
    ...compute_node,
  };
  return {
    host,
    nodename: `${host}.example.org`,
    uuid: `00000000-0000-4000-8000-${host.replace(/\W/g, "").padStart(12, "0").slice(-12)}`,
    cell_uuid: "c0000000-0000-4000-8000-000000000001",
    host_ip: "10.0.0.1",
    hypervisor_type: "QEMU",
    hypervisor_version: 8000000,
    cpu_info: '{"arch": "x86_64", "vendor": "Intel"}',
    supported_instances: [["x86_64", "kvm", "hvm"]],
    cpu_allocation_ratio: 4.0,
    ram_allocation_ratio: 1.0,
    disk_allocation_ratio: 1.0,
    stats: { num_instances: "0", io_workload: "0" },
    metrics: [],
    pci_pools: [],
    service: { disabled: false, forced_down: false, last_seen_up: now },
    instances: [],
    compute_node: cn,
    ...rest,
  };
}

/** A one-instance boot request for tests (m1.small-like flavor, no hints, no group). */
export function fakeRequest(overrides: Partial<RequestSpec> = {}): RequestSpec {
  return {
    instance_uuid: "11111111-1111-4111-8111-000000000001",
    project_id: "tenant-a",
    user_id: "user-1",
    availability_zone: null,
    num_instances: 1,
    flavor: {
      name: "m1.small",
      vcpus: 1,
      memory_mb: 2048,
      root_gb: 20,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
    },
    image: { id: "22222222-2222-4222-8222-000000000001", properties: {} },
    scheduler_hints: {},
    instance_group: null,
    ignore_hosts: null,
    requested_destination: null,
    ...overrides,
  };
}
