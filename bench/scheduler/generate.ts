// A deterministic cloud of N compute nodes with a realistic mix: three zones (and a few hosts in none),
// SSD / GPU / tenant-isolated aggregates, per-aggregate multipliers and limits, three hardware sizes, random
// load, some disabled and some down services, a 1,000-member anti-affinity group spread over 1,000 hosts.
import type { AggregateInput, HostInput, RequestSpec } from "@nova/scheduler";

/** Mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);

const SIZES = [
  { vcpus: 48, memory_mb: 262144, local_gb: 2000 },
  { vcpus: 64, memory_mb: 524288, local_gb: 4000 },
  { vcpus: 96, memory_mb: 786432, local_gb: 4000 },
];

export interface Cloud {
  hosts: HostInput[];
  aggregates: AggregateInput[];
  /** The anti-affinity group's members (one per host on the first 1,000 eligible hosts). */
  groupMembers: string[];
}

export function generateCloud(n: number, seed = 42): Cloud {
  const r = rng(seed);
  const name = (i: number) => `cmp-${String(i).padStart(6, "0")}`;
  const hosts: HostInput[] = [];
  const zones: string[][] = [[], [], []];
  const ssd: string[] = [];
  const gpu: string[] = [];
  const tenant: string[] = [];
  const cpuHeavy: string[] = [];
  const groupMembers: string[] = [];
  for (let i = 0; i < n; i++) {
    const host = name(i);
    const size = SIZES[Math.floor(r() * SIZES.length)]!;
    const load = r();
    const vcpus_used = Math.floor(size.vcpus * 3 * load);
    const memory_mb_used = Math.floor((size.memory_mb * load * 0.9) / 1024) * 1024;
    const local_gb_used = Math.floor(size.local_gb * load * 0.8);
    const numInstances = Math.floor(load * 30);
    const instances = Array.from({ length: Math.min(numInstances, 8) }, (_, k) => `i${i}-${k}`);
    if (i % 97 === 5 && groupMembers.length < 1000) {
      const m = `g-${groupMembers.length}`;
      groupMembers.push(m);
      instances.push(m);
    }
    const z = r();
    if (z < 0.95) zones[Math.floor(z / 0.3167)]!.push(host);
    if (r() < 0.3) ssd.push(host);
    if (r() < 0.05) gpu.push(host);
    if (r() < 0.04) tenant.push(host);
    if (r() < 0.1) cpuHeavy.push(host);
    const down = r() < 0.03;
    const disabled = r() < 0.02;
    hosts.push({
      host,
      nodename: `${host}.example.org`,
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      cell_uuid: i % 10 === 9 ? "c0000000-0000-4000-8000-000000000002" : "c0000000-0000-4000-8000-000000000001",
      host_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      hypervisor_type: "QEMU",
      hypervisor_version: r() < 0.2 ? 6002000 : 8000000,
      hypervisor_hostname: `${host}.example.org`,
      cpu_info: '{"arch": "x86_64", "vendor": "Intel"}',
      supported_instances: [
        ["x86_64", "kvm", "hvm"],
        ["i686", "kvm", "hvm"],
        ["x86_64", "qemu", "hvm"],
      ],
      compute_node: {
        vcpus: size.vcpus,
        vcpus_used,
        memory_mb: size.memory_mb,
        memory_mb_used,
        free_ram_mb: size.memory_mb - memory_mb_used,
        local_gb: size.local_gb,
        local_gb_used,
        free_disk_gb: size.local_gb - local_gb_used,
        disk_available_least: null,
      },
      cpu_allocation_ratio: 4.0,
      ram_allocation_ratio: 1.0,
      disk_allocation_ratio: 1.0,
      stats: {
        num_instances: String(numInstances),
        io_workload: String(Math.floor(r() * 6)),
        failed_builds: r() < 0.01 ? "1" : "0",
      },
      metrics: [{ name: "cpu.percent", value: Math.round(load * 100) / 100 }],
      pci_pools: gpu.at(-1) === host ? [{ count: 4, vendor_id: "10de", product_id: "1eb8", numa_node: 0 }] : [],
      service: {
        disabled,
        disabled_reason: disabled ? "maintenance" : null,
        forced_down: false,
        last_seen_up: down ? NOW - 3_600_000 : NOW - Math.floor(r() * 20_000),
      },
      instances,
    });
  }
  const aggregates: AggregateInput[] = [
    { id: 1, name: "az1", hosts: zones[0]!, metadata: { availability_zone: "az1" } },
    { id: 2, name: "az2", hosts: zones[1]!, metadata: { availability_zone: "az2" } },
    { id: 3, name: "az3", hosts: zones[2]!, metadata: { availability_zone: "az3" } },
    { id: 4, name: "ssd", hosts: ssd, metadata: { ssd: "true" } },
    { id: 5, name: "gpu", hosts: gpu, metadata: { gpu: "true", filter_tenant_id: "tenant-gpu" } },
    { id: 6, name: "tenant-x", hosts: tenant, metadata: { filter_tenant_id: "tenant-x" } },
    { id: 7, name: "cpu-heavy", hosts: cpuHeavy, metadata: { cpu_weight_multiplier: "2.0", max_io_ops_per_host: "4" } },
  ];
  return { hosts, aggregates, groupMembers };
}

/** The typical boot: a medium flavor in az1, a plain x86_64 image, no group. */
export function typicalRequest(instanceUuids: string[]): RequestSpec {
  return {
    instance_uuid: instanceUuids[0] ?? null,
    instance_uuids: instanceUuids,
    num_instances: instanceUuids.length,
    project_id: "tenant-a",
    user_id: "user-1",
    availability_zone: "az1",
    flavor: {
      name: "m1.medium",
      flavorid: "3",
      vcpus: 2,
      memory_mb: 4096,
      root_gb: 40,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: { "hw:cpu_policy": "shared" },
    },
    image: {
      id: "c811a9bb-ee03-4eb1-a607-ca41bb75fccd",
      properties: { hw_architecture: "x86_64", img_hv_type: "kvm", hw_vm_mode: "hvm" },
    },
    scheduler_hints: {},
    instance_group: null,
    ignore_hosts: null,
    requested_destination: null,
  };
}

/** One more member of the 1,000-member anti-affinity group. */
export function antiAffinityRequest(members: string[]): RequestSpec {
  const uuid = "g-new";
  return {
    ...typicalRequest([uuid]),
    instance_group: { uuid: "grp-1", policy: "anti-affinity", rules: {}, members: [...members, uuid], hosts: [] },
  };
}

/** The enabled filters of the benchmark: Zed's defaults plus the zone and aggregate filters sites add. */
export const BENCH_FILTERS = [
  "ComputeFilter",
  "ComputeCapabilitiesFilter",
  "ImagePropertiesFilter",
  "ServerGroupAntiAffinityFilter",
  "ServerGroupAffinityFilter",
  "AvailabilityZoneFilter",
  "AggregateInstanceExtraSpecsFilter",
  "AggregateMultiTenancyIsolation",
];
