import { resourcesFromFlavor } from "@nova/objects";
import type { SchedulerConfig } from "./config.js";
import type { RejectedHost, StageReport } from "./explanation.js";
import {
  type FilterRequest,
  type HostFilter,
  PASSES_ALL,
  type PreparedFilter,
  prepareFilter,
} from "./filters/host-filter.js";
import type { HostManager } from "./host-manager.js";
import type { HostState } from "./host-state.js";
import type { RequestSpec } from "./types.js";

/** One step of host selection: a pre-filter step or a filter, readied for a request and instance index. */
export interface Stage {
  readonly name: string;
  readonly prepared: PreparedFilter;
  /** The filter behind the stage (absent for pre-filter steps). */
  readonly filter?: HostFilter;
}

/** The resources a flavor asks of placement. */
export interface ResourceRequest {
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
}

/** Placement's question, asked of our own state: do the resources fit under the allocation ratios? */
export function fitsResources(h: HostState, r: ResourceRequest): string | null {
  const vcpuCap = (h.vcpus_total - h.reserved_host_cpus) * h.cpu_allocation_ratio;
  if (r.vcpus > h.vcpus_total || h.vcpus_used + r.vcpus > vcpuCap) {
    return `VCPU: ${r.vcpus} requested, ${vcpuCap - h.vcpus_used} free of ${vcpuCap}`;
  }
  const ramCap = (h.total_usable_ram_mb - h.reserved_host_memory_mb) * h.ram_allocation_ratio;
  if (r.memory_mb > h.total_usable_ram_mb || h.memory_mb_used + r.memory_mb > ramCap) {
    return `MEMORY_MB: ${r.memory_mb} requested, ${ramCap - h.memory_mb_used} free of ${ramCap}`;
  }
  const diskCap =
    (h.total_usable_disk_gb - Math.ceil(h.reserved_host_disk_mb / 1024)) * h.disk_allocation_ratio;
  if (r.disk_gb > h.total_usable_disk_gb || h.local_gb_used + r.disk_gb > diskCap) {
    return `DISK_GB: ${r.disk_gb} requested, ${diskCap - h.local_gb_used} free of ${diskCap}`;
  }
  return null;
}

/** What a request's flavor asks of placement: Nova's resources_from_flavor (DISK_GB counts swap). */
export function resourceRequest(spec: RequestSpec): ResourceRequest {
  return resourcesFromFlavor(spec.flavor);
}

/** A request is a rebuild when the hint `_nova_check_type` is exactly ["rebuild"]. */
export function isRebuild(spec: RequestSpec): boolean {
  const t = spec.scheduler_hints?._nova_check_type;
  return Array.isArray(t) && t.length === 1 && t[0] === "rebuild";
}

/** The steps placement and the host manager take before the filters (Nova: placement, get_filtered_hosts). */
export function preFilterStages(
  spec: RequestSpec,
  config: SchedulerConfig,
  manager: HostManager,
  includePlacement: boolean,
): { stages: Stage[]; skipFilters: boolean } {
  const stages: Stage[] = [];
  const dest = spec.requested_destination;
  if (includePlacement) {
    if (dest?.cell_uuid && !dest.allow_cross_cell_move) {
      const cell = dest.cell_uuid;
      stages.push({
        name: "Cell",
        prepared: {
          passes: (h) => h.cell_uuid === cell,
          reason: (h) => `host is in cell ${h.cell_uuid}, not ${cell}`,
        },
      });
    }
    if (config.placement_resource_fit) {
      const r = resourceRequest(spec);
      stages.push({
        name: "Placement",
        prepared: { passes: (h) => fitsResources(h, r) === null, reason: (h) => fitsResources(h, r) ?? "" },
      });
    }
    const az = spec.availability_zone;
    if (config.query_placement_for_availability_zone && config.placement_resource_fit && az) {
      const ids = new Set(
        manager
          .aggregatesWithMetadata("availability_zone")
          .filter((a) => a.metadata.availability_zone === az)
          .map((a) => a.id),
      );
      if (ids.size > 0) {
        stages.push({
          name: "PlacementAvailabilityZone",
          prepared: {
            byAggregates: true,
            passes: (h) => h.aggregateSet.aggregates.some((a) => ids.has(a.id)),
            reason: () => `host is in no aggregate of zone ${az}`,
          },
        });
      }
    }
  }
  if (dest?.host) {
    const host = dest.host;
    const node = dest.node ?? null;
    const match = (h: HostState) => h.host === host && (!node || h.nodename === node);
    stages.push({
      name: "RequestedDestination",
      prepared: {
        passes: match,
        reason: () => `not the requested destination ${host}${node ? `/${node}` : ""}`,
        candidates: manager.hostsNamed(host).filter(match),
      },
    });
  }
  const ignore = spec.ignore_hosts ?? [];
  if (ignore.length > 0) {
    const set = new Set(ignore.map((x) => x.toLowerCase()));
    stages.push({
      name: "IgnoreHosts",
      prepared: { passes: (h) => !set.has(h.host.toLowerCase()), reason: () => "host is in ignore_hosts" },
    });
  }
  const forceHosts = spec.force_hosts ?? [];
  if (forceHosts.length > 0) {
    const set = new Set(forceHosts.map((x) => x.toLowerCase()));
    stages.push({
      name: "ForceHosts",
      prepared: { passes: (h) => set.has(h.host.toLowerCase()), reason: () => "host is not in force_hosts" },
    });
  }
  const forceNodes = spec.force_nodes ?? [];
  if (forceNodes.length > 0) {
    const set = new Set(forceNodes);
    stages.push({
      name: "ForceNodes",
      prepared: { passes: (h) => set.has(h.nodename), reason: () => "node is not in force_nodes" },
    });
  }
  // Forcing skips the filters unless the request is an internal check (rebuild, evacuate, ...).
  const checkType = spec.scheduler_hints?._nova_check_type;
  const skipFilters = !checkType && (forceHosts.length > 0 || forceNodes.length > 0);
  return { stages, skipFilters };
}

/** The enabled filters readied for one instance index (skipping once-per-request ones after the first). */
export function filterStages(
  filters: readonly HostFilter[],
  request: FilterRequest,
  rebuild: boolean,
): Stage[] {
  const out: Stage[] = [];
  for (const f of filters) {
    if (f.runFilterOncePerRequest && request.index > 0) continue;
    const prepared = rebuild && !f.runOnRebuild ? PASSES_ALL : prepareFilter(f, request);
    out.push({ name: f.name, prepared, filter: f });
  }
  return out;
}

/** A stage's verdict, memoised per aggregate set when it depends only on aggregates. */
export function stageTest(stage: Stage): ((h: HostState) => boolean) | null {
  const passes = stage.prepared.passes;
  if (!passes) return null;
  if (!stage.prepared.byAggregates) return passes;
  const memo: Array<boolean | undefined> = [];
  return (h) => {
    const id = h.aggregateSet.id;
    let v = memo[id];
    if (v === undefined) {
      v = passes(h);
      memo[id] = v;
    }
    return v;
  };
}

/** Runs stages one after the other as Nova does (stopping at the first that leaves no host), recording why. */
export function runStagesExplained(
  hosts: readonly HostState[],
  stages: readonly Stage[],
): { survivors: HostState[]; reports: StageReport[]; rejected: RejectedHost[]; emptiedBy: string | null } {
  let current = hosts.slice();
  const reports: StageReport[] = [];
  const rejected: RejectedHost[] = [];
  for (const stage of stages) {
    const test = stageTest(stage);
    const next: HostState[] = [];
    for (const h of current) {
      if (!test || test(h)) next.push(h);
      else
        rejected.push({
          host: h.host,
          nodename: h.nodename,
          rejected_by: stage.name,
          reason: stage.prepared.reason(h),
        });
    }
    reports.push({ name: stage.name, hosts_in: current.length, hosts_out: next.length });
    current = next;
    if (current.length === 0) return { survivors: current, reports, rejected, emptiedBy: stage.name };
  }
  return { survivors: current, reports, rejected, emptiedBy: null };
}

/**
 * The survivors of all stages, in input order, computed the fast way: start from the smallest index lookup
 * (a stage's candidates, or the hosts of the aggregate sets that pass every aggregate-only stage), decide the few
 * hosts that some stages can reject, answer memoised stages from the host manager's columns, and call the
 * remaining tests last. Same set as the one-by-one run.
 */
export function runStagesFast(
  manager: HostManager,
  stages: readonly Stage[],
): { hosts: HostState[]; positions: Int32Array } {
  const all = manager.all();
  const n = all.length;
  const cols = manager.columns;
  const active = stages.filter((s) => s.prepared.passes);
  let start: Int32Array | null = null;
  for (const s of active) {
    const c = s.prepared.candidates;
    if (c && (!start || c.length < start.length)) {
      start = Int32Array.from(new Set(c.map((h) => h.position))).sort();
    }
  }
  const aggStages = active.filter((s) => s.prepared.byAggregates);
  let aggDone = false;
  if (!start && aggStages.length > 0) {
    // Decide each aggregate set once, then take the hosts of the sets that pass, in input order.
    aggDone = true;
    const mark = new Uint8Array(n);
    let count = 0;
    for (const members of manager.aggregateSets().values()) {
      if (members.size === 0) continue;
      const sample = members.values().next().value as HostState;
      if (aggStages.every((s) => s.prepared.passes!(sample))) {
        for (const h of members) mark[h.position] = 1;
        count += members.size;
      }
    }
    start = new Int32Array(count);
    let j = 0;
    for (let i = 0; i < n; i++) if (mark[i] === 1) start[j++] = i;
  }
  let rejected: Uint8Array | null = null;
  const aggMemo: Array<(h: HostState) => boolean> = [];
  const imageMemo: Array<(h: HostState) => boolean> = [];
  const tests: Array<(h: HostState) => boolean> = [];
  for (const s of active) {
    const p = s.prepared;
    if (p.byAggregates) {
      if (!aggDone) aggMemo.push(p.passes!);
    } else if (p.onlyCanReject) {
      // Only these hosts can fail: decide them now, by position.
      rejected ??= new Uint8Array(n);
      for (const h of p.onlyCanReject) if (!p.passes!(h)) rejected[h.position] = 1;
    } else if (p.byImageSupport) {
      imageMemo.push(p.passes!);
    } else {
      tests.push(p.passes!);
    }
  }
  const aggIds = cols.aggregateSetId;
  const imageIds = cols.imageSupportId;
  // -1 unknown, 0 fails, 1 passes; per memoised stage, by set or image-support id.
  const aggSeen = aggMemo.map(() => new Map<number, boolean>());
  const imageSeen = imageMemo.map(() => new Map<number, boolean>());
  const total = start ? start.length : n;
  const outPos = new Int32Array(total);
  const out: HostState[] = [];
  let k = 0;
  outer: for (let j = 0; j < total; j++) {
    const pos = start ? start[j]! : j;
    if (rejected !== null && rejected[pos] === 1) continue;
    for (let t = 0; t < aggMemo.length; t++) {
      const id = aggIds[pos]!;
      let v = aggSeen[t]!.get(id);
      if (v === undefined) {
        v = aggMemo[t]!(all[pos]!);
        aggSeen[t]!.set(id, v);
      }
      if (!v) continue outer;
    }
    for (let t = 0; t < imageMemo.length; t++) {
      const id = imageIds[pos]!;
      let v = imageSeen[t]!.get(id);
      if (v === undefined) {
        v = imageMemo[t]!(all[pos]!);
        imageSeen[t]!.set(id, v);
      }
      if (!v) continue outer;
    }
    if (tests.length > 0) {
      const h = all[pos]!;
      for (const t of tests) if (!t(h)) continue outer;
    }
    outPos[k++] = pos;
  }
  for (let j = 0; j < k; j++) out.push(all[outPos[j]!]!);
  return { hosts: out, positions: outPos.slice(0, k) };
}
