import { randomUUID } from "node:crypto";
import type { ComputeNode } from "@nova/objects";
import { sql } from "kysely";
import { columnMap, fromSqlDate, toSqlDate } from "../column-map.js";
import { ClaimRejectedError, GenerationConflictError } from "../errors/claim-error.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError } from "../errors/query-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";

const nodeColumns = columnMap({
  id: "int",
  uuid: "string",
  service_id: "int",
  host: "string",
  hypervisor_hostname: "string",
  vcpus: "int",
  memory_mb: "int",
  local_gb: "int",
  vcpus_used: "int",
  memory_mb_used: "int",
  local_gb_used: "int",
  hypervisor_type: "string",
  hypervisor_version: "int",
  free_ram_mb: "int",
  free_disk_gb: "int",
  current_workload: "int",
  running_vms: "int",
  cpu_info: "string",
  disk_available_least: "int",
  metrics: "string",
  stats: "json",
  host_ip: "string",
  numa_topology: "string",
  // The object's names differ from Nova's column names for these two.
  supported_instances: "json",
  pci_stats: "json",
  cpu_allocation_ratio: "float",
  ram_allocation_ratio: "float",
  disk_allocation_ratio: "float",
  mapped: "int",
  generation: "int",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

/** A compute node as stored, with the generation counter claims are checked against. */
export type ComputeNodeRecord = ComputeNode & { generation: number };

/** What registering a compute node needs. */
export type ComputeNodeCreate = Pick<
  ComputeNode,
  | "host"
  | "hypervisor_hostname"
  | "vcpus"
  | "memory_mb"
  | "local_gb"
  | "hypervisor_type"
  | "hypervisor_version"
> &
  Partial<Omit<ComputeNode, "id" | "deleted" | "deleted_at">>;

/** Fields the resource tracker may save. */
export type ComputeNodeChanges = Partial<
  Omit<ComputeNode, "id" | "uuid" | "deleted" | "deleted_at" | "created_at">
>;

/** Resources one instance needs on a node. */
export interface ResourceRequest {
  /** vCPUs. */
  vcpus: number;
  /** Memory, in MB. */
  memory_mb: number;
  /** Disk, in GB. */
  local_gb: number;
}

/** Options of a claim. */
export interface ClaimOptions {
  /** Claim only if the node is still at this generation (the one the caller decided on); else GenerationConflictError. */
  generation?: number;
  /** Without a generation: how many times to re-read and retry when another claim got in first. */
  maxAttempts?: number;
}

function toRecordRow(values: Record<string, unknown>): Record<string, unknown> {
  const { supported_hv_specs, pci_device_pools, ...rest } = values;
  const row: Record<string, unknown> = { ...rest };
  if (supported_hv_specs !== undefined) row.supported_instances = supported_hv_specs;
  if (pci_device_pools !== undefined) row.pci_stats = pci_device_pools;
  return nodeColumns.toRow(row);
}

function fromRecordRow(row: Record<string, unknown>): ComputeNodeRecord {
  const { supported_instances, pci_stats, ...rest } = nodeColumns.fromRow(row);
  return {
    ...rest,
    supported_hv_specs: supported_instances ?? [],
    pci_device_pools: pci_stats ?? null,
  } as ComputeNodeRecord;
}

/** Whether a node has room for a request, given its allocation ratios; the reason when not. */
export function capacityShortfall(node: ComputeNodeRecord, req: ResourceRequest): string | null {
  if (node.vcpus_used + req.vcpus > Math.floor(node.vcpus * node.cpu_allocation_ratio))
    return "not enough vCPUs";
  if (node.memory_mb_used + req.memory_mb > Math.floor(node.memory_mb * node.ram_allocation_ratio))
    return "not enough RAM";
  if (node.local_gb_used + req.local_gb > Math.floor(node.local_gb * node.disk_allocation_ratio))
    return "not enough disk";
  return null;
}

/** Compute nodes of a cell: registration, resource tracker saves, and atomic resource claims. */
export class ComputeNodeRepository {
  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Registers a node; free_* and ratios get Nova's defaults when not given. */
  create(values: ComputeNodeCreate): Promise<ComputeNodeRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const row = toRecordRow({
        uuid: randomUUID(),
        vcpus_used: 0,
        memory_mb_used: 0,
        local_gb_used: 0,
        free_ram_mb: values.memory_mb - (values.memory_mb_used ?? 0),
        free_disk_gb: values.local_gb - (values.local_gb_used ?? 0),
        running_vms: 0,
        current_workload: 0,
        cpu_allocation_ratio: 16.0,
        ram_allocation_ratio: 1.5,
        disk_allocation_ratio: 1.0,
        mapped: 0,
        supported_hv_specs: [],
        ...values,
        created_at: now,
      });
      const res = await trx.insertInto("compute_nodes").values(row).executeTakeFirstOrThrow();
      return this.byId(trx, Number(res.insertId));
    }, "ComputeNode");
  }

  /** A live node by id. */
  get(id: number): Promise<ComputeNodeRecord> {
    return this.d.run((db) => this.byId(db, id));
  }

  /** A live node by uuid. */
  getByUuid(uuid: string): Promise<ComputeNodeRecord> {
    return this.d.run((db) => this.byUuid(db, uuid));
  }

  /** ComputeNode.get_by_host_and_nodename. */
  getByHostAndNodename(host: string, nodename: string): Promise<ComputeNodeRecord> {
    return this.d.run(async (db) => {
      const row = await this.live(db)
        .where("host", "=", host)
        .where("hypervisor_hostname", "=", nodename)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("ComputeNode", `${host}/${nodename}`);
      return fromRecordRow(row);
    });
  }

  /**
   * Live nodes, optionally of one host or hypervisor_hostname, by id, paginated by node uuid marker
   * (ComputeNodeList.get_all / get_all_by_host / get_by_pagination).
   */
  list(
    filters: { host?: string; hypervisor_hostname?: string } = {},
    page: { limit?: number; marker?: string } = {},
  ): Promise<ComputeNodeRecord[]> {
    return this.d.run(async (db) => {
      let q = this.live(db);
      if (filters.host !== undefined) q = q.where("host", "=", filters.host);
      if (filters.hypervisor_hostname !== undefined)
        q = q.where("hypervisor_hostname", "=", filters.hypervisor_hostname);
      if (page.marker !== undefined) {
        const m = await db
          .selectFrom("compute_nodes")
          .select("id")
          .where("uuid", "=", page.marker)
          .executeTakeFirst();
        if (!m) throw new MarkerNotFoundError(page.marker);
        q = q.where("id", ">", m.id);
      }
      q = q.orderBy("id");
      if (page.limit !== undefined) q = q.limit(page.limit);
      return (await q.execute()).map(fromRecordRow);
    });
  }

  /**
   * Nodes created, updated or deleted at or after `since` (soft-deleted ones included, `deleted` true), by
   * id: what a scheduler polls to keep its host states current without re-reading every node.
   */
  listChangedSince(since: Date): Promise<ComputeNodeRecord[]> {
    const at = toSqlDate(since);
    return this.d.run(async (db) => {
      const rows = await db
        .selectFrom("compute_nodes")
        .selectAll()
        .where((eb) =>
          eb.or([eb("updated_at", ">=", at), eb("created_at", ">=", at), eb("deleted_at", ">=", at)]),
        )
        .orderBy("id")
        .execute();
      return rows.map(fromRecordRow);
    });
  }

  /** ComputeNode.save: writes the resource tracker's view and bumps the generation, so in-flight claims re-check. */
  update(id: number, changes: ComputeNodeChanges): Promise<ComputeNodeRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const set = toRecordRow({ ...changes, updated_at: now });
      delete set.generation;
      const res = await trx
        .updateTable("compute_nodes")
        .set({ ...set, generation: sql`generation + 1` })
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("ComputeNode", String(id));
      return this.byId(trx, id);
    }, "ComputeNode");
  }

  /**
   * Claims resources for one instance. The write is conditional on the generation the decision was made
   * on, so two schedulers can never both take the last slot: the loser re-reads (when no generation was
   * given) and either fits or gets ClaimRejectedError.
   */
  async claim(uuid: string, req: ResourceRequest, options: ClaimOptions = {}): Promise<ComputeNodeRecord> {
    return this.adjust(uuid, req, 1, options);
  }

  /** Gives resources back (instance deleted or moved); never drops usage below zero. */
  async release(uuid: string, req: ResourceRequest, options: ClaimOptions = {}): Promise<ComputeNodeRecord> {
    return this.adjust(uuid, req, -1, options);
  }

  /** Live nodes not yet mapped to a cell (ComputeNodeList.get_all_by_not_mapped, for discover_hosts). */
  listUnmapped(): Promise<ComputeNodeRecord[]> {
    return this.d.run(async (db) =>
      (await this.live(db).where("mapped", "=", 0).orderBy("id").execute()).map(fromRecordRow),
    );
  }

  /**
   * Marks nodes as mapped (discover_hosts) or not (delete_cell --force, so they can be discovered again);
   * bypasses the generation counter because no claim depends on it.
   */
  setMapped(ids: readonly number[], mapped: boolean): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.d.run(async (db) => {
      await db
        .updateTable("compute_nodes")
        .set({ mapped: mapped ? 1 : 0 })
        .where("id", "in", [...ids])
        .execute();
    });
  }

  /** Soft-deletes a node. */
  destroy(id: number): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.run(async (db) => {
      const res = await db
        .updateTable("compute_nodes")
        .set({ deleted: sql`id`, deleted_at: now })
        .where("id", "=", id)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("ComputeNode", String(id));
    });
  }

  private async adjust(
    uuid: string,
    req: ResourceRequest,
    sign: 1 | -1,
    options: ClaimOptions,
  ): Promise<ComputeNodeRecord> {
    const attempts = options.generation !== undefined ? 1 : (options.maxAttempts ?? 64);
    let lastGeneration = options.generation ?? -1;
    for (let i = 0; i < attempts; i++) {
      const node = await this.getByUuid(uuid);
      if (options.generation !== undefined && node.generation !== options.generation) {
        throw new GenerationConflictError(uuid, options.generation);
      }
      lastGeneration = node.generation;
      if (sign === 1) {
        const shortfall = capacityShortfall(node, req);
        if (shortfall) throw new ClaimRejectedError(uuid, shortfall);
      }
      const clamp = (n: number) => Math.max(0, n);
      const vcpusUsed = clamp(node.vcpus_used + sign * req.vcpus);
      const memUsed = clamp(node.memory_mb_used + sign * req.memory_mb);
      const diskUsed = clamp(node.local_gb_used + sign * req.local_gb);
      const now = this.d.now();
      const set = {
        vcpus_used: vcpusUsed,
        memory_mb_used: memUsed,
        local_gb_used: diskUsed,
        free_ram_mb: node.memory_mb - memUsed,
        free_disk_gb: node.local_gb - diskUsed,
        running_vms: clamp((node.running_vms ?? 0) + sign),
        generation: node.generation + 1,
      };
      // Absolute values computed from the row we read are safe: the generation guard proves it is unchanged.
      const res = await this.d.run((db) =>
        db
          .updateTable("compute_nodes")
          .set({ ...set, updated_at: toSqlDate(now) })
          .where("id", "=", node.id)
          .where("deleted", "=", 0)
          .where("generation", "=", node.generation)
          .executeTakeFirst(),
      );
      // The same guard means the node now is the row read plus this update: no need to read it back.
      if (Number(res.numUpdatedRows) === 1)
        return { ...node, ...set, updated_at: fromSqlDate(toSqlDate(now)) };
    }
    throw new GenerationConflictError(uuid, lastGeneration);
  }

  private live(db: Db) {
    return db.selectFrom("compute_nodes").selectAll().where("deleted", "=", 0);
  }

  private async byId(db: Db, id: number): Promise<ComputeNodeRecord> {
    const row = await this.live(db).where("id", "=", id).executeTakeFirst();
    if (!row) throw new NotFoundError("ComputeNode", String(id));
    return fromRecordRow(row);
  }

  private async byUuid(db: Db, uuid: string): Promise<ComputeNodeRecord> {
    const row = await this.live(db).where("uuid", "=", uuid).executeTakeFirst();
    if (!row) throw new NotFoundError("ComputeNode", uuid);
    return fromRecordRow(row);
  }
}
