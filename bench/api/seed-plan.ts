// What both sides are seeded with: one plan (the same uuids, names, hosts and flavors), written into nova-ts's
// databases by seedNovaTs and into Python Nova's by python_nova_api.py.
import { randomUUID } from "node:crypto";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { CELL0_UUID } from "@nova/objects";

/** A flavor as `nova-manage flavor create` takes it. */
export interface PlanFlavor {
  id: string;
  name: string;
  ram: number;
  vcpus: number;
  disk: number;
}

/** A compute host: its nova-compute service, its compute node and its host mapping. */
export interface PlanHost {
  host: string;
  uuid: string;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
}

/** An ACTIVE server on one of the hosts. */
export interface PlanServer {
  uuid: string;
  name: string;
  host: string;
  flavor: string;
  reservation_id: string;
}

/** Everything both sides hold before the first request. */
export interface SeedPlan {
  project: string;
  user: string;
  image: { id: string; name: string; size: number };
  flavors: PlanFlavor[];
  hosts: PlanHost[];
  servers: PlanServer[];
}

// Nova's classic m1.* set (devstack creates these): GET /flavors/detail lists them all.
const FLAVORS: PlanFlavor[] = [
  { id: "1", name: "m1.tiny", ram: 512, vcpus: 1, disk: 1 },
  { id: "2", name: "m1.small", ram: 2048, vcpus: 1, disk: 20 },
  { id: "3", name: "m1.medium", ram: 4096, vcpus: 2, disk: 40 },
  { id: "4", name: "m1.large", ram: 8192, vcpus: 4, disk: 80 },
  { id: "5", name: "m1.xlarge", ram: 16384, vcpus: 8, disk: 160 },
];

/** `servers` ACTIVE servers of the noauth2 admin project spread round-robin over `hosts` hosts. */
export function makeSeedPlan(servers: number, hosts: number, imageId: string): SeedPlan {
  const hostList = Array.from({ length: hosts }, (_, i) => ({
    host: `bench-host-${i + 1}`,
    uuid: randomUUID(),
    vcpus: 64,
    memory_mb: 262144,
    local_gb: 4096,
  }));
  return {
    // noauth2's token `admin:admin` is user admin in project admin, with the admin role.
    project: "admin",
    user: "admin",
    image: { id: imageId, name: "cirros", size: 21430272 },
    flavors: FLAVORS,
    hosts: hostList,
    servers: Array.from({ length: servers }, (_, i) => ({
      uuid: randomUUID(),
      name: `bench-${i}`,
      host: hostList[i % hosts]!.host,
      flavor: FLAVORS[i % 2]!.id,
      reservation_id: `r-${i.toString(36).padStart(8, "0")}`,
    })),
  };
}

/** Runs `fn` over `items` with `width` in flight. */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Writes the plan's hosts, servers and quota limits into nova-ts's databases through @nova/db's repositories
 * (the rows the conductor and the computes would write); the flavors are expected to exist already (created
 * with `nova-manage flavor create`).
 */
export async function seedNovaTs(plan: SeedPlan, apiDb: ApiDatabase, cellDb: CellDatabase): Promise<void> {
  const cell = (await apiDb.mappings.listCells()).find((c) => c.uuid !== CELL0_UUID);
  if (!cell) throw new Error("no cell mapped besides cell0 (was nova-manage cell_v2 simple_cell_setup run?)");
  for (const resource of ["instances", "cores", "ram"] as const)
    await apiDb.quotas.setLimit(plan.project, resource, -1);
  await inBatches(plan.hosts, 8, async (h) => {
    const service = await cellDb.services.create({ host: h.host, binary: "nova-compute", topic: "compute" });
    await cellDb.computeNodes.create({
      uuid: h.uuid,
      host: h.host,
      hypervisor_hostname: h.host,
      service_id: service.id,
      vcpus: h.vcpus,
      memory_mb: h.memory_mb,
      local_gb: h.local_gb,
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      host_ip: "127.0.0.1",
      cpu_allocation_ratio: 1,
      ram_allocation_ratio: 1,
      disk_allocation_ratio: 1,
    });
    await apiDb.mappings.mapHost(h.host, cell.uuid);
  });
  const flavors = new Map(
    await Promise.all(
      plan.flavors.map(async (f) => [f.id, await apiDb.flavors.getByFlavorId(f.id)] as const),
    ),
  );
  await inBatches(plan.servers, 8, async (s) => {
    const flavor = flavors.get(s.flavor)!;
    await cellDb.instances.create({
      uuid: s.uuid,
      project_id: plan.project,
      user_id: plan.user,
      display_name: s.name,
      hostname: s.name,
      vm_state: "active",
      task_state: null,
      power_state: 1,
      image_ref: plan.image.id,
      host: s.host,
      node: s.host,
      launched_on: s.host,
      flavor,
      instance_type_id: flavor.id,
      memory_mb: flavor.memory_mb,
      vcpus: flavor.vcpus,
      root_gb: flavor.root_gb,
      ephemeral_gb: 0,
      availability_zone: "nova",
      metadata: {},
      system_metadata: {},
      launch_index: 0,
      reservation_id: s.reservation_id,
    });
    await apiDb.mappings.createInstanceMapping({
      instance_uuid: s.uuid,
      project_id: plan.project,
      user_id: plan.user,
      cell_uuid: cell.uuid,
    });
  });
}
