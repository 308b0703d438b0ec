import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, systemClock } from "@nova/core";
import {
  type ApiDatabase,
  type CellDatabase,
  type ComputeNodeRecord,
  openApiDatabase,
  openCellDatabase,
} from "@nova/db";
import { withImmediateRetries } from "@nova/db/test";
import { FakeBroker, RpcServer, Transport } from "@nova/messaging";
import type { Instance, RequestSpec } from "@nova/objects";
import {
  BuildRequestCodec,
  CELL0_UUID,
  InstanceCodec,
  RequestSpecCodec,
  tagListPrimitive,
} from "@nova/objects";
import { createTestDatabase } from "@nova/testing";

/** Which engine a suite runs on. */
export type Backend = "sqlite" | "mariadb";

async function freshUrl(
  backend: Backend,
  prefix: string,
): Promise<{ url: string; dispose(): Promise<void> }> {
  if (backend === "mariadb") return createTestDatabase(prefix);
  const path = join(tmpdir(), `nova-${prefix}-${randomBytes(6).toString("hex")}.db`);
  return {
    url: `sqlite:///${path}`,
    dispose: async () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

/** The three databases of a single-cell deployment, migrated, with the cell and cell0 mapped. */
export interface Databases {
  apiDb: ApiDatabase;
  cellDb: CellDatabase;
  cell0Db: CellDatabase;
  cellUuid: string;
  dispose(): Promise<void>;
}

/**
 * Creates and migrates API, cell and cell0 databases on `backend`, with the clock the rows are stamped by
 * (retries do not wait: no timings in tests).
 */
export async function openDatabases(backend: Backend, clock: Clock = systemClock): Promise<Databases> {
  const [api, cell, cell0] = await Promise.all([
    freshUrl(backend, "cond_api"),
    freshUrl(backend, "cond_cell"),
    freshUrl(backend, "cond_cell0"),
  ]);
  const deps = { clock: withImmediateRetries(clock) };
  const apiDb = openApiDatabase(api.url, deps);
  const cellDb = openCellDatabase(cell.url, deps);
  const cell0Db = openCellDatabase(cell0.url, deps);
  await Promise.all([apiDb.sync(), cellDb.sync(), cell0Db.sync()]);
  await apiDb.mappings.ensureCell0("none:///", cell0.url);
  const mapping = await apiDb.mappings.createCell({
    name: "cell1",
    transport_url: "fake://",
    database_connection: cell.url,
  });
  return {
    apiDb,
    cellDb,
    cell0Db,
    cellUuid: mapping.uuid,
    dispose: async () => {
      await Promise.all([apiDb.close(), cellDb.close(), cell0Db.close()]);
      await Promise.all([api.dispose(), cell.dispose(), cell0.dispose()]);
    },
  };
}

/** Registers nova-compute on `host` with one compute node, heard from at `lastSeenUp`. */
export async function addComputeHost(
  cellDb: CellDatabase,
  host: string,
  opts: { vcpus?: number; memory_mb?: number; local_gb?: number; lastSeenUp?: Date | null } = {},
): Promise<ComputeNodeRecord> {
  const service = await cellDb.services.create({ host, binary: "nova-compute", topic: "compute" });
  if (opts.lastSeenUp !== null) {
    const when = (opts.lastSeenUp ?? new Date()).toISOString().slice(0, 19).replace("T", " ");
    await cellDb.db.kysely
      .updateTable("services")
      .set({ last_seen_up: when, report_count: 1 })
      .where("id", "=", service.id)
      .execute();
  }
  return cellDb.computeNodes.create({
    host,
    hypervisor_hostname: host,
    service_id: service.id,
    vcpus: opts.vcpus ?? 4,
    memory_mb: opts.memory_mb ?? 8192,
    local_gb: opts.local_gb ?? 100,
    hypervisor_type: "fake",
    hypervisor_version: 1000,
    cpu_allocation_ratio: 1,
    ram_allocation_ratio: 1,
    disk_allocation_ratio: 1,
  });
}

/** The flavor every test boots (1 vCPU, 512 MB, 1 GB). */
export const tinyFlavor = {
  id: 1,
  name: "m1.tiny",
  memory_mb: 512,
  vcpus: 1,
  root_gb: 1,
  ephemeral_gb: 0,
  flavorid: "1",
  swap: 0,
  rxtx_factor: 1,
  vcpu_weight: 0,
  disabled: false,
  is_public: true,
  extra_specs: {},
  description: null,
};

/** What nova-api records and casts for one server: the build request, request spec and mapping. */
export async function acceptBoot(
  apiDb: ApiDatabase,
  opts: { uuid?: string; name?: string; createdAt?: Date; tags?: string[] } = {},
): Promise<{ uuid: string; buildRequest: Record<string, unknown>; requestSpec: Record<string, unknown> }> {
  const uuid = opts.uuid ?? randomUUID();
  const instance: Partial<Instance> = {
    uuid,
    user_id: "u1",
    project_id: "p1",
    image_ref: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
    hostname: opts.name ?? "vm",
    display_name: opts.name ?? "vm",
    launch_index: 0,
    power_state: 0,
    vm_state: "building",
    task_state: "scheduling",
    memory_mb: tinyFlavor.memory_mb,
    vcpus: tinyFlavor.vcpus,
    root_gb: tinyFlavor.root_gb,
    ephemeral_gb: 0,
    instance_type_id: 1,
    locked: false,
    auto_disk_config: false,
    shutdown_terminate: false,
    disable_terminate: false,
    metadata: { purpose: "test" },
    system_metadata: { image_min_ram: "0" },
    flavor: tinyFlavor,
    hidden: false,
    created_at: opts.createdAt ?? new Date(),
  };
  const br = await apiDb.buildRequests.create({
    instance_uuid: uuid,
    project_id: "p1",
    instance,
    block_device_mappings: {
      "nova_object.name": "BlockDeviceMappingList",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.18",
      "nova_object.data": { objects: [] },
    },
    tags: tagListPrimitive(opts.tags ?? []),
  });
  await apiDb.mappings.createInstanceMapping({ instance_uuid: uuid, project_id: "p1", user_id: "u1" });
  const spec: Partial<RequestSpec> = {
    instance_uuid: uuid,
    project_id: "p1",
    user_id: "u1",
    num_instances: 1,
    flavor: tinyFlavor,
    security_groups: {
      "nova_object.name": "SecurityGroupList",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.1",
      "nova_object.data": {
        objects: [
          {
            "nova_object.name": "SecurityGroup",
            "nova_object.namespace": "nova",
            "nova_object.version": "1.2",
            "nova_object.data": { name: "default" },
          },
        ],
      },
    },
    scheduler_hints: {},
  };
  return {
    uuid,
    buildRequest: BuildRequestCodec.toPrimitive({
      id: br.id,
      instance_uuid: uuid,
      project_id: "p1",
      instance: InstanceCodec.fromPrimitive(InstanceCodec.toPrimitive(instance)),
    }) as unknown as Record<string, unknown>,
    requestSpec: RequestSpecCodec.toPrimitive(spec) as unknown as Record<string, unknown>,
  };
}

/** One in-process bus: every transport made by `transport()` shares the broker; close() closes them all. */
export function fakeBus() {
  const broker = new FakeBroker();
  const closers: Array<() => Promise<void>> = [];
  return {
    transport(clock?: Clock): Transport {
      const t = new Transport("fake://", {
        fakeBroker: broker,
        options: { control_exchange: "nova" },
        ...(clock ? { clock } : {}),
      });
      closers.push(() => t.close());
      return t;
    },
    async serve(
      transport: Transport,
      topic: string,
      server: string,
      endpoint: ConstructorParameters<typeof RpcServer>[2][number],
    ) {
      const s = new RpcServer(transport, { topic, server }, [endpoint]);
      await s.start();
      closers.unshift(() => s.stop());
      return s;
    },
    async close() {
      while (closers.length) await closers.shift()?.();
    },
  };
}

export { CELL0_UUID };
