import { NovaError } from "@nova/core";
import { AggregateSet } from "./aggregate-set.js";
import type { HostIndex } from "./filters/host-filter.js";
import { HostColumns } from "./host-columns.js";
import { HostState, normalizeService } from "./host-state.js";
import type { AggregateInput, HostInput } from "./types.js";

/** A host or node the manager does not know. */
export class UnknownHostError extends NovaError {
  /** Builds "unknown compute host <host> [node <node>]". */
  constructor(
    /** The host asked for. */
    readonly host: string,
    /** The node asked for, when one was. */
    readonly nodename?: string,
  ) {
    super("SCHEDULER_UNKNOWN_HOST", `unknown compute host ${host}${nodename ? ` node ${nodename}` : ""}`);
  }
}

/** Resources one instance takes from a host (Nova's consume_from_request). */
export interface Consumption {
  /** vCPUs the instance takes. */
  vcpus: number;
  /** Memory the instance takes, in MB. */
  memory_mb: number;
  /** root + ephemeral, GB (what HostState.free_disk_mb loses). */
  disk_gb: number;
  /** DISK_GB placement allocates: root + ephemeral + swap rounded up to GB. */
  placement_disk_gb: number;
}

const nodeKey = (host: string, node: string) => `${host}\u0000${node}`;

/**
 * Keeps every compute node's state between requests and updates it incrementally: compute node reports,
 * heartbeats, aggregate changes and the scheduler's own claims. Also the indexes filters use (by host name,
 * by instance, by aggregate set). Input order (insertion order) decides ties, as Nova's host list does.
 */
export class HostManager implements HostIndex {
  private list: HostState[] = [];
  private readonly byNode = new Map<string, HostState>();
  private readonly byHost = new Map<string, HostState[]>();
  private readonly byInstance = new Map<string, HostState[]>();
  private aggregates: AggregateInput[] = [];
  private aggregateIdsOfHost = new Map<string, number[]>();
  private readonly sets = new Map<string, AggregateSet>();
  private readonly setMembers = new Map<AggregateSet, Set<HostState>>();
  private setCounter = 0;
  /** Typed-array copies of the hot numbers, by position. */
  readonly columns = new HostColumns();
  private readonly imageKeys = new Map<string, number>();

  /** Adds a compute node, or refreshes it from a new report (usage, service, instances). */
  upsertHost(input: HostInput): HostState {
    const key = nodeKey(input.host, input.nodename);
    let h = this.byNode.get(key);
    if (h) {
      for (const u of h.instances) this.unindexInstance(u, h);
      h.instances.clear();
      h.updateFromComputeNode(input);
    } else {
      h = new HostState(input);
      h.position = this.list.length;
      this.list.push(h);
      this.byNode.set(key, h);
      const same = this.byHost.get(input.host);
      if (same) same.push(h);
      else this.byHost.set(input.host, [h]);
      this.assignAggregateSet(h);
    }
    for (const u of input.instances ?? []) this.addInstanceTo(h, u);
    let imageId = this.imageKeys.get(h.imageSupportKey);
    if (imageId === undefined) {
      imageId = this.imageKeys.size + 1;
      this.imageKeys.set(h.imageSupportKey, imageId);
    }
    h.imageSupportId = imageId;
    this.serviceChanged(h);
    this.columns.write(h);
    return h;
  }

  /** Forgets a compute node. */
  removeHost(host: string, nodename: string): void {
    const h = this.get(host, nodename);
    for (const u of h.instances) this.unindexInstance(u, h);
    this.byNode.delete(nodeKey(host, nodename));
    const same = (this.byHost.get(host) ?? []).filter((x) => x !== h);
    if (same.length) this.byHost.set(host, same);
    else this.byHost.delete(host);
    this.setMembers.get(h.aggregateSet)?.delete(h);
    this.unavailable.delete(h);
    this.lastSeenValid = false;
    this.list = this.list.filter((x) => x !== h);
    this.list.forEach((x, i) => {
      x.position = i;
      this.columns.write(x);
    });
  }

  /** Replaces the aggregates (membership by host name, as Nova maps them). */
  setAggregates(aggregates: readonly AggregateInput[]): void {
    this.aggregates = aggregates.map((a) => ({ ...a, hosts: [...a.hosts], metadata: { ...a.metadata } }));
    this.aggregateIdsOfHost = new Map();
    for (const a of this.aggregates) {
      for (const host of new Set(a.hosts)) {
        const ids = this.aggregateIdsOfHost.get(host);
        if (ids) ids.push(a.id);
        else this.aggregateIdsOfHost.set(host, [a.id]);
      }
    }
    this.sets.clear();
    this.setMembers.clear();
    for (const h of this.list) {
      this.assignAggregateSet(h);
      this.columns.write(h);
    }
  }

  /** Records a compute service heartbeat (milliseconds since the epoch). */
  recordHeartbeat(host: string, atMs: number): void {
    for (const h of this.hostsNamed(host)) {
      h.service = normalizeService({ ...h.service, last_seen_up: atMs });
      this.serviceChanged(h);
    }
  }

  /** Enables or disables a compute service, or forces it down. */
  setServiceStatus(
    host: string,
    status: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean },
  ): void {
    const nodes = this.hostsNamed(host);
    if (nodes.length === 0) throw new UnknownHostError(host);
    for (const h of nodes) {
      h.service = normalizeService({ ...h.service, ...status });
      this.serviceChanged(h);
    }
  }

  /** Records an instance on a node (a build finished elsewhere, a move). */
  addInstance(host: string, nodename: string, instanceUuid: string): void {
    this.addInstanceTo(this.get(host, nodename), instanceUuid);
  }

  /** Forgets an instance wherever it is. */
  removeInstance(instanceUuid: string): void {
    for (const h of this.byInstance.get(instanceUuid) ?? []) h.instances.delete(instanceUuid);
    this.byInstance.delete(instanceUuid);
  }

  /**
   * Takes one instance's resources from a node (Nova's consume_from_request, plus placement's usage), and
   * returns the undo. `instanceUuid`, when given, is recorded on the node.
   */
  consume(h: HostState, c: Consumption, instanceUuid: string | null): () => void {
    const before = {
      free_ram_mb: h.free_ram_mb,
      free_disk_mb: h.free_disk_mb,
      vcpus_used: h.vcpus_used,
      num_instances: h.num_instances,
      num_io_ops: h.num_io_ops,
      memory_mb_used: h.memory_mb_used,
      local_gb_used: h.local_gb_used,
    };
    h.free_ram_mb -= c.memory_mb;
    h.free_disk_mb -= c.disk_gb * 1024;
    h.vcpus_used += c.vcpus;
    h.num_instances += 1;
    h.num_io_ops += 1;
    h.memory_mb_used += c.memory_mb;
    h.local_gb_used += c.placement_disk_gb;
    h.generation++;
    this.columns.write(h);
    const added = instanceUuid !== null && !h.instances.has(instanceUuid);
    if (added) this.addInstanceTo(h, instanceUuid);
    return () => {
      Object.assign(h, before);
      h.generation++;
      this.columns.write(h);
      if (added) {
        h.instances.delete(instanceUuid);
        this.unindexInstance(instanceUuid, h);
      }
    };
  }

  /** The node `nodename` of `host`. */
  get(host: string, nodename: string): HostState {
    const h = this.byNode.get(nodeKey(host, nodename));
    if (!h) throw new UnknownHostError(host, nodename);
    return h;
  }

  /** Number of nodes known. */
  get size(): number {
    return this.list.length;
  }

  /** Every node of `host`. */
  hostsNamed(host: string): readonly HostState[] {
    return this.byHost.get(host) ?? [];
  }

  /** The nodes `instanceUuid` is recorded on. */
  hostsOfInstance(instanceUuid: string): readonly HostState[] {
    return this.byInstance.get(instanceUuid) ?? [];
  }

  /** Every known node. */
  all(): readonly HostState[] {
    return this.list;
  }

  /** The nodes whose service has not reported within `serviceDownTime` seconds of `nowMs`, or is forced down. */
  unavailableHosts(nowMs: number, serviceDownTime: number): readonly HostState[] {
    // One pass over the heartbeats, kept in a typed array by position: cheaper than asking every host.
    const seen = this.heartbeats();
    const out: HostState[] = [];
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const t = seen[i]!;
      if (Number.isNaN(t) || Math.abs((nowMs - t) / 1000) > serviceDownTime) out.push(list[i]!);
    }
    for (const h of this.unavailable)
      if (!(Math.abs((nowMs - seen[h.position]!) / 1000) > serviceDownTime)) out.push(h);
    return out;
  }

  private lastSeen = new Float64Array(0);
  private lastSeenValid = false;
  /** Disabled or forced-down services. */
  private readonly unavailable = new Set<HostState>();

  private heartbeats(): Float64Array {
    if (!this.lastSeenValid) {
      this.lastSeen = new Float64Array(this.list.length);
      for (const h of this.list) this.lastSeen[h.position] = h.service.last_seen_up ?? Number.NaN;
      this.lastSeenValid = true;
    }
    return this.lastSeen;
  }

  // Keeps the liveness indexes in step with a host's service record.
  private serviceChanged(h: HostState): void {
    if (h.service.disabled || h.service.forced_down) this.unavailable.add(h);
    else this.unavailable.delete(h);
    if (this.lastSeenValid && h.position < this.lastSeen.length && this.list[h.position] === h) {
      this.lastSeen[h.position] = h.service.last_seen_up ?? Number.NaN;
    } else {
      this.lastSeenValid = false;
    }
  }

  /** The distinct aggregate sets and their hosts (for per-set evaluation of aggregate-only filters). */
  aggregateSets(): ReadonlyMap<AggregateSet, ReadonlySet<HostState>> {
    return this.setMembers;
  }

  /** Aggregates (by id) that have `key` in their metadata with `value` among its comma-separated values. */
  aggregatesWithMetadata(key: string): readonly AggregateInput[] {
    return this.aggregates.filter((a) => key in a.metadata);
  }

  private assignAggregateSet(h: HostState): void {
    this.setMembers.get(h.aggregateSet)?.delete(h);
    const ids = [...new Set(this.aggregateIdsOfHost.get(h.host) ?? [])].sort((a, b) => a - b);
    const key = ids.join(",");
    let set = this.sets.get(key);
    if (!set) {
      const byId = new Map(this.aggregates.map((a) => [a.id, a]));
      set = new AggregateSet(
        key,
        ids.map((id) => byId.get(id)!),
        ++this.setCounter,
      );
      this.sets.set(key, set);
      this.setMembers.set(set, new Set());
    }
    h.aggregateSet = set;
    this.setMembers.get(set)!.add(h);
  }

  private addInstanceTo(h: HostState, u: string): void {
    h.instances.add(u);
    const on = this.byInstance.get(u);
    if (!on) this.byInstance.set(u, [h]);
    else if (!on.includes(h)) on.push(h);
  }

  private unindexInstance(u: string, h: HostState): void {
    const on = this.byInstance.get(u);
    if (!on) return;
    const rest = on.filter((x) => x !== h);
    if (rest.length) this.byInstance.set(u, rest);
    else this.byInstance.delete(u);
  }
}
