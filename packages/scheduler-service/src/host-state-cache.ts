import { hasErrorCode, type Logger } from "@nova/core";
import type { ApiDatabase, CellDatabase, ComputeNodeRecord, ServiceRecord } from "@nova/db";
import { type AggregateInput, type Consumption, HostManager, type HostState } from "@nova/scheduler";
import { hostInputFrom, nodeName } from "./host-input.js";

/** What a host state cache is built from. */
export interface HostStateCacheOptions {
  /** The cell database the host states are read from. */
  cellDb: CellDatabase;
  /** That cell's uuid, recorded on every host state. */
  cellUuid: string;
  /** Where loads and refreshes are logged. */
  logger: Logger;
  /**
   * The API database, whose host aggregates (zones, filter metadata) are re-read at load and on every
   * refresh; without it hosts are in no aggregate.
   */
  apiDb?: ApiDatabase | undefined;
}

/** Counters of what the cache has done, for logs and tests. */
export interface HostStateCacheStats {
  /** Polls of changed nodes and services started. */
  refreshes: number;
  /** Node rows applied (new generation, new node, or node gone). */
  nodeUpdates: number;
  /** Host instance lists re-read from the database (unknown host, failed sync). */
  instanceListReloads: number;
}

interface NodeEntry {
  record: ComputeNodeRecord;
  statsKey: string;
  placedSinceReport: number;
  /** Where the node sits in the host manager, when it is schedulable (has a host and a compute service). */
  listed: { host: string; nodename: string } | null;
}

interface Reservation {
  node: string;
  consumption: Consumption;
  instanceUuid: string | null;
}

// Rows are stamped in whole seconds by whichever process wrote them, and a transaction may commit a little
// after its stamp: each poll re-reads this much before the newest stamp seen. Re-reading is idempotent.
const OVERLAP_MS = 5_000;

const COMPUTE_BINARY = "nova-compute";

/**
 * The scheduler's view of its cell, kept between requests: compute nodes, their nova-compute services and
 * the instances per host (Nova's HostManager state). Loaded once, then kept current incrementally from polls
 * of changed rows (updated_at based), the computes' instance fanouts, and this scheduler's own claims, which
 * show at once: as a reservation while the claim is in flight, then as the node row the claim returned.
 */
export class HostStateCache {
  /** The @nova/scheduler host manager the filters and weighers run over. */
  readonly hosts = new HostManager();
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly nodesOfHost = new Map<string, Set<string>>();
  private readonly services = new Map<string, ServiceRecord>();
  private readonly instanceInfo = new Map<string, Set<string>>();
  private readonly reservations = new Map<number, Reservation>();
  private nextToken = 1;
  private watermark: number | null = null;
  private refreshing: Promise<void> | undefined;
  private aggregatesKey = "[]";
  private aggregateReads = 0;
  private aggregateReadApplied = 0;
  private readonly counters: HostStateCacheStats = { refreshes: 0, nodeUpdates: 0, instanceListReloads: 0 };

  /** An empty cache of the cell's host states, filled by its first refresh. */
  constructor(private readonly opts: HostStateCacheOptions) {}

  /** Counters since creation. */
  get stats(): Readonly<HostStateCacheStats> {
    return { ...this.counters };
  }

  /** Loads every compute node, compute service and placed instance of the cell (at start). */
  async load(): Promise<void> {
    const db = this.opts.cellDb;
    const [nodes, services, instances] = await Promise.all([
      db.computeNodes.list(),
      db.services.list({ binary: COMPUTE_BINARY }),
      db.instances.list({}, { sortKeys: ["id"], sortDirs: ["asc"] }),
    ]);
    for (const i of instances) {
      if (!i.host) continue;
      this.instanceSet(i.host).add(i.uuid);
    }
    for (const s of services) this.applyService(s, false);
    await this.loadAggregates();
    for (const n of nodes) {
      if (n.host) this.instanceSet(n.host);
      this.applyNode(n);
    }
    this.opts.logger.info(
      {
        nodes: nodes.length,
        services: services.length,
        instances: instances.length,
        schedulable: this.hosts.size,
      },
      "scheduler host states loaded",
    );
  }

  /**
   * Applies the nodes and services changed since the last poll. Joins the poll in flight, if any, so a caller
   * can wait for the periodic one.
   */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.counters.refreshes++;
    const run = this.poll().finally(() => {
      this.refreshing = undefined;
    });
    this.refreshing = run;
    return run;
  }

  /** Re-reads one node (a claim on it lost a race): the next pick sees what the database holds. */
  async refreshNode(uuid: string): Promise<void> {
    try {
      this.applyNode(await this.opts.cellDb.computeNodes.getByUuid(uuid));
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
      const e = this.nodes.get(uuid);
      if (e) this.applyNode({ ...e.record, deleted: true });
    }
  }

  /** Takes one instance's resources from a node now, before its claim is written; returns the reservation. */
  reserve(h: HostState, consumption: Consumption, instanceUuid: string | null): number {
    const token = this.nextToken++;
    this.reservations.set(token, { node: h.uuid, consumption, instanceUuid });
    this.hosts.consume(h, consumption, instanceUuid);
    return token;
  }

  /** The claim was written: the node row it returned replaces the reservation, and the instance is on the host. */
  confirm(token: number, claimed: ComputeNodeRecord): void {
    const r = this.reservations.get(token);
    if (!r) return;
    this.reservations.delete(token);
    this.applyNode(claimed, false);
    const e = this.nodes.get(r.node);
    if (e) {
      e.placedSinceReport++;
      if (r.instanceUuid && e.record.host) this.instanceSet(e.record.host).add(r.instanceUuid);
    }
    this.render(r.node);
  }

  /** A claim was given back (its request failed): the node row after the release, and the instance is gone. */
  released(node: ComputeNodeRecord, instanceUuid: string | null): void {
    this.applyNode(node, false);
    const e = this.nodes.get(node.uuid);
    if (e) {
      e.placedSinceReport = Math.max(0, e.placedSinceReport - 1);
      if (instanceUuid && e.record.host) this.instanceInfo.get(e.record.host)?.delete(instanceUuid);
    }
    this.render(node.uuid);
  }

  /** The claim was not written (lost a race, or the request failed): the reservation is given back. */
  cancel(token: number): void {
    const r = this.reservations.get(token);
    if (!r) return;
    this.reservations.delete(token);
    this.render(r.node);
  }

  /** A compute's update_instance_info: instances added to (or the full list of) a host. */
  async updateInstanceInfo(host: string, instanceUuids: readonly string[]): Promise<void> {
    const known = this.instanceInfo.get(host);
    if (known) {
      for (const u of instanceUuids) known.add(u);
      this.renderHost(host);
    } else if (instanceUuids.length > 1) {
      // A host sending its full list: use it.
      this.instanceInfo.set(host, new Set(instanceUuids));
      this.renderHost(host);
    } else {
      await this.reloadInstances(host, "update from an unknown host");
    }
  }

  /** A compute's delete_instance_info: an instance left a host. */
  async deleteInstanceInfo(host: string, instanceUuid: string): Promise<void> {
    const known = this.instanceInfo.get(host);
    if (!known) return this.reloadInstances(host, "delete from an unknown host");
    known.delete(instanceUuid);
    this.renderHost(host);
  }

  /** A compute's sync_instance_info: its full instance list; a mismatch re-reads the host from the database. */
  async syncInstanceInfo(host: string, instanceUuids: readonly string[]): Promise<void> {
    const known = this.instanceInfo.get(host);
    const same =
      known !== undefined &&
      known.size === new Set(instanceUuids).size &&
      instanceUuids.every((u) => known.has(u));
    if (!same)
      await this.reloadInstances(host, known ? "instance sync did not match" : "sync from an unknown host");
  }

  /** Whether the host is one of this cell's (it has a node or placed instances here). */
  knowsHost(host: string): boolean {
    return this.nodesOfHost.has(host) || this.instanceInfo.has(host);
  }

  /** The instances this scheduler believes are on a host. */
  instancesOn(host: string): ReadonlySet<string> {
    return this.instanceInfo.get(host) ?? new Set();
  }

  private async poll(): Promise<void> {
    const since = new Date(this.watermark === null ? 0 : this.watermark - OVERLAP_MS);
    const db = this.opts.cellDb;
    const [nodes, services] = await Promise.all([
      db.computeNodes.listChangedSince(since),
      db.services.listChangedSince(since, { binary: COMPUTE_BINARY }),
      this.loadAggregates(),
    ]);
    for (const s of services) this.applyService(s, true);
    const newHosts = new Set<string>();
    for (const n of nodes) {
      if (n.host && !n.deleted && !this.instanceInfo.has(n.host)) newHosts.add(n.host);
      this.applyNode(n);
    }
    for (const host of newHosts) await this.reloadInstances(host, "new compute host");
  }

  /** Re-reads the host aggregates now (an update_aggregates or delete_aggregate cast from the API). */
  reloadAggregates(): Promise<void> {
    return this.loadAggregates();
  }

  /**
   * Re-reads the host aggregates and re-groups hosts when they changed: at load, on every poll (so a missed
   * cast is made good within one refresh interval), and on the API's aggregate casts.
   */
  private async loadAggregates(): Promise<void> {
    const apiDb = this.opts.apiDb;
    if (!apiDb) return;
    const read = ++this.aggregateReads;
    const rows = await apiDb.aggregates.list();
    // A cast and a poll may read at once: a read that started earlier never replaces a later one's answer.
    if (read < this.aggregateReadApplied) return;
    this.aggregateReadApplied = read;
    const aggregates: AggregateInput[] = rows.map((a) => ({
      id: a.id,
      name: a.name,
      uuid: a.uuid,
      hosts: a.hosts,
      metadata: a.metadata,
    }));
    const key = JSON.stringify(aggregates);
    if (key === this.aggregatesKey) return;
    this.aggregatesKey = key;
    this.hosts.setAggregates(aggregates);
    this.opts.logger.info({ aggregates: aggregates.length }, "scheduler host aggregates loaded");
  }

  private async reloadInstances(host: string, why: string): Promise<void> {
    this.counters.instanceListReloads++;
    const instances = await this.opts.cellDb.instances.listByHost(host);
    this.instanceInfo.set(host, new Set(instances.map((i) => i.uuid)));
    this.opts.logger.info(
      { host, instances: instances.length, why },
      "re-created the instance list of a host",
    );
    this.renderHost(host);
  }

  private applyService(s: ServiceRecord, render: boolean): void {
    this.seen(s.updated_at, s.created_at, s.deleted_at);
    if (!s.host || s.binary !== COMPUTE_BINARY) return;
    const prev = this.services.get(s.host);
    if (s.deleted) {
      if (!prev || prev.id !== s.id) return;
      this.services.delete(s.host);
    } else {
      if (prev && sameService(prev, s)) return;
      this.services.set(s.host, s);
    }
    if (render) this.renderHost(s.host);
  }

  // Applies a node row unless an equal or newer generation is already known. Returns whether it changed.
  private applyNode(record: ComputeNodeRecord, render = true): boolean {
    this.seen(record.updated_at, record.created_at, record.deleted_at);
    const e = this.nodes.get(record.uuid);
    if (record.deleted) {
      if (!e) return false;
      this.unlist(e);
      this.nodes.delete(record.uuid);
      if (e.record.host) this.nodesOfHost.get(e.record.host)?.delete(record.uuid);
      this.counters.nodeUpdates++;
      return true;
    }
    if (e && record.generation <= e.record.generation) return false;
    const statsKey = JSON.stringify(record.stats ?? null);
    if (e && e.record.host !== record.host) {
      this.unlist(e);
      if (e.record.host) this.nodesOfHost.get(e.record.host)?.delete(record.uuid);
    }
    const entry: NodeEntry = {
      record,
      statsKey,
      // A new stats report from the compute already counts what this scheduler placed.
      placedSinceReport: e && e.statsKey === statsKey ? e.placedSinceReport : 0,
      listed: e?.listed ?? null,
    };
    this.nodes.set(record.uuid, entry);
    if (record.host) {
      let set = this.nodesOfHost.get(record.host);
      if (!set) {
        set = new Set();
        this.nodesOfHost.set(record.host, set);
      }
      set.add(record.uuid);
    }
    this.counters.nodeUpdates++;
    if (render) this.render(record.uuid);
    return true;
  }

  private renderHost(host: string): void {
    for (const uuid of this.nodesOfHost.get(host) ?? []) this.render(uuid);
  }

  // Rebuilds one node's host state from its row, service and instances, then re-applies claims in flight.
  private render(uuid: string): void {
    const e = this.nodes.get(uuid);
    if (!e) return;
    const host = e.record.host;
    const service = host ? this.services.get(host) : undefined;
    if (!host || !service) {
      // Nova skips nodes whose host has no compute service record.
      this.unlist(e);
      return;
    }
    const nodename = nodeName(e.record);
    if (e.listed && (e.listed.host !== host || e.listed.nodename !== nodename)) this.unlist(e);
    const pending = [...this.reservations.values()].filter((r) => r.node === uuid);
    const instances = new Set(this.instanceInfo.get(host) ?? []);
    for (const r of pending) if (r.instanceUuid) instances.add(r.instanceUuid);
    const h = this.hosts.upsertHost(
      hostInputFrom(e.record, {
        cellUuid: this.opts.cellUuid,
        service,
        instances,
        placedSinceReport: e.placedSinceReport,
      }),
    );
    e.listed = { host, nodename };
    for (const r of pending) this.hosts.consume(h, r.consumption, null);
  }

  private unlist(e: NodeEntry): void {
    if (!e.listed) return;
    this.hosts.removeHost(e.listed.host, e.listed.nodename);
    e.listed = null;
  }

  private instanceSet(host: string): Set<string> {
    let set = this.instanceInfo.get(host);
    if (!set) {
      set = new Set();
      this.instanceInfo.set(host, set);
    }
    return set;
  }

  private seen(...stamps: Array<Date | null | undefined>): void {
    for (const d of stamps) {
      if (!d) continue;
      const t = d.getTime();
      if (this.watermark === null || t > this.watermark) this.watermark = t;
    }
  }
}

function sameService(a: ServiceRecord, b: ServiceRecord): boolean {
  return (
    a.id === b.id &&
    a.disabled === b.disabled &&
    a.disabled_reason === b.disabled_reason &&
    a.forced_down === b.forced_down &&
    a.last_seen_up?.getTime() === b.last_seen_up?.getTime() &&
    a.updated_at?.getTime() === b.updated_at?.getTime()
  );
}
