import type { SchedulerConfig } from "./config.js";
import type { SchedulingExplanation } from "./explanation.js";
import type { FilterRequest } from "./filters/host-filter.js";
import type { Consumption, HostManager } from "./host-manager.js";
import type { HostState } from "./host-state.js";
import { NoValidHostError } from "./no-valid-host-error.js";
import {
  filterStages,
  fitsResources,
  isRebuild,
  preFilterStages,
  resourceRequest,
  runStagesExplained,
  runStagesFast,
  type Stage,
  stageTest,
} from "./pipeline.js";
import { PluginRegistry } from "./registry.js";
import type { RequestSpec } from "./types.js";
import { type ActiveWeigher, sortByWeight, weighedReport, weighHosts } from "./weighing.js";

/** One chosen (or alternate) destination. */
export interface Selection {
  host: string;
  nodename: string;
  /** The compute node's UUID. */
  compute_node_uuid: string;
  cell_uuid: string;
}

/** Options of one selectDestinations call. */
export interface SelectDestinationsOptions {
  /** Build the explanation (per-step counts, rejections, weights) even when hosts were found. */
  explain?: boolean;
  /**
   * Keep the chosen hosts' resources claimed in the host manager (default true). With false, the host
   * states are left as they were (a dry run).
   */
  claim?: boolean;
}

/** The answer: per instance, the chosen host then up to `max_attempts - 1` alternates in the same cell. */
export interface SelectDestinationsResult {
  selections: Selection[][];
  explanation: SchedulingExplanation | null;
}

/** What a Scheduler is built from. */
export interface SchedulerDeps {
  config: SchedulerConfig;
  hosts: HostManager;
  /** Filters and weighers by name; defaults to the built-ins. */
  plugins?: PluginRegistry;
  /** Milliseconds since the epoch (service liveness). */
  clock?: () => number;
  /** Uniform in [0, 1): host_subset_size > 1 and shuffle_best_same_weighed_hosts. */
  random?: () => number;
}

interface RequestState {
  spec: RequestSpec;
  instanceUuid: string | null;
  groupHosts: string[];
}

/** Nova's SchedulerManager.select_destinations over a HostManager, as a pure, synchronous computation. */
export class Scheduler {
  private readonly config: SchedulerConfig;
  private readonly hosts: HostManager;
  private readonly plugins: PluginRegistry;
  private readonly clock: () => number;
  private readonly random: () => number;

  constructor(deps: SchedulerDeps) {
    this.config = deps.config;
    this.hosts = deps.hosts;
    this.plugins = deps.plugins ?? new PluginRegistry();
    this.clock = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    // Fail at construction on a misspelt filter or weigher name, as Nova fails at start-up.
    for (const n of this.config.enabled_filters) this.plugins.filter(n);
    for (const n of this.config.weight_classes) this.plugins.weigher(n);
  }

  /**
   * Picks a host per instance (and alternates), consuming each pick before the next instance is placed,
   * exactly as Nova's _schedule does. Throws NoValidHostError, with the explanation, when it cannot.
   */
  selectDestinations(spec: RequestSpec, options: SelectDestinationsOptions = {}): SelectDestinationsResult {
    const config = this.config;
    const now = this.clock();
    const uuids = spec.instance_uuids && spec.instance_uuids.length > 0 ? spec.instance_uuids : null;
    const count = uuids ? uuids.length : (spec.num_instances ?? 1);
    const numAlts = config.max_attempts - 1;
    const state: RequestState = {
      spec,
      instanceUuid: spec.instance_uuid ?? null,
      groupHosts: [...(spec.instance_group?.hosts ?? [])],
    };
    const filters = config.enabled_filters.map((n) => this.plugins.filter(n));
    const weighers: ActiveWeigher[] = config.weight_classes.map((n) => {
      const weigher = this.plugins.weigher(n);
      return { weigher, prepared: weigher.prepare({ spec, config }) };
    });
    const resources = resourceRequest(spec);
    const consumption: Consumption = {
      vcpus: spec.flavor.vcpus,
      memory_mb: spec.flavor.memory_mb,
      disk_gb: spec.flavor.root_gb + spec.flavor.ephemeral_gb,
      placement_disk_gb: resources.disk_gb,
    };
    const rebuild = isRebuild(spec);
    const pre = preFilterStages(spec, config, this.hosts, true);
    const preRepeat = preFilterStages(spec, config, this.hosts, false);
    const undo: Array<() => void> = [];
    const selected: HostState[] = [];
    let explanation: SchedulingExplanation | null = null;
    let sorted: HostState[] = [];
    let previous: HostState[] = [];
    let changed = new Set<HostState>();
    let lastIndex = 0;

    const stagesFor = (index: number, first: boolean): Stage[] => {
      const request = this.filterRequest(state, index, now);
      const base = first ? pre : preRepeat;
      return base.skipFilters ? base.stages : [...base.stages, ...filterStages(filters, request, rebuild)];
    };

    // Nova's _get_sorted_hosts: filter, weigh, sort (stable), then move a random pick of the best
    // host_subset_size hosts to the front.
    const sortedHosts = (index: number): HostState[] => {
      let survivors: HostState[];
      if (index === 0) {
        const stages = stagesFor(0, true);
        if (options.explain) {
          const run = runStagesExplained(this.hosts.all(), stages);
          survivors = run.survivors;
          explanation = {
            instance_uuid: state.instanceUuid,
            hosts_considered: this.hosts.size,
            stages: run.reports,
            emptied_by: run.emptiedBy,
            rejected: run.rejected,
            passed: survivors.map((h) => ({ host: h.host, nodename: h.nodename })),
            weighed: [],
          };
        } else {
          survivors = runStagesFast(this.hosts, stages);
        }
      } else {
        survivors = this.refilter(previous, stagesFor(index, false), changed);
      }
      if (survivors.length === 0) return [];
      const weights = weighHosts(survivors, weighers, index === 0 && options.explain === true);
      let order = sortByWeight(weights.totals);
      if (config.shuffle_best_same_weighed_hosts && order.length > 0) {
        const best = weights.totals[order[0]!]!;
        let k = 0;
        while (k < order.length && weights.totals[order[k]!] === best) k++;
        const head = Array.from(order.subarray(0, k));
        for (let i = head.length - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [head[i], head[j]] = [head[j]!, head[i]!];
        }
        order = Int32Array.from([...head, ...order.subarray(k)]);
      }
      if (index === 0 && explanation) {
        (explanation as SchedulingExplanation).weighed = weighedReport(survivors, order, weights, weighers);
      }
      const list = Array.from(order, (i) => survivors[i]!);
      const subset = Math.min(config.host_subset_size, list.length);
      const pick = subset <= 1 ? 0 : Math.floor(this.random() * subset);
      if (pick > 0) list.unshift(list.splice(pick, 1)[0]!);
      return list;
    };

    const fail = (reason: string): never => {
      for (const u of undo.reverse()) u();
      if (!explanation) {
        state.instanceUuid = uuids ? uuids[0]! : (spec.instance_uuid ?? null);
        state.groupHosts = [...(spec.instance_group?.hosts ?? [])];
        const run = runStagesExplained(this.hosts.all(), stagesFor(0, true));
        explanation = {
          instance_uuid: state.instanceUuid,
          hosts_considered: this.hosts.size,
          stages: run.reports,
          emptied_by: run.emptiedBy,
          rejected: run.rejected,
          passed: run.survivors.map((h) => ({ host: h.host, nodename: h.nodename })),
          weighed: [],
        };
      }
      throw new NoValidHostError(reason, explanation);
    };

    for (let num = 0; num < count; num++) {
      lastIndex = num;
      if (uuids) state.instanceUuid = uuids[num]!;
      sorted = sortedHosts(num);
      if (sorted.length === 0) break;
      // The claim: with the resource-fit step on, the first host that still fits (as a placement claim).
      const claimed = config.placement_resource_fit
        ? sorted.find((h) => fitsResources(h, resources) === null)
        : sorted[0];
      if (!claimed) break;
      selected.push(claimed);
      const instanceUuid = uuids ? uuids[num]! : null;
      const hasGroup = spec.instance_group !== null && spec.instance_group !== undefined;
      undo.push(this.hosts.consume(claimed, consumption, hasGroup ? instanceUuid : null));
      if (hasGroup) state.groupHosts.push(claimed.host);
      previous = sorted;
      changed = new Set([claimed]);
    }
    if (selected.length !== count) {
      fail(count > 1 ? "There are not enough hosts available." : "Filtering removed all hosts.");
    }

    if (lastIndex > 0 && numAlts > 0) sorted = sortedHosts(lastIndex);
    const chosen = new Set(selected);
    const selections = selected.map((h) => {
      const list: Selection[] = [toSelection(h)];
      for (const alt of sorted) {
        if (list.length >= numAlts + 1) break;
        if (alt.cell_uuid === h.cell_uuid && !chosen.has(alt)) list.push(toSelection(alt));
      }
      return list;
    });
    if (options.claim === false) for (const u of undo.reverse()) u();
    return { selections, explanation };
  }

  /** Later instances: only what can have changed is re-checked (the host just picked; unstable filters). */
  private refilter(
    previous: readonly HostState[],
    stages: readonly Stage[],
    changed: ReadonlySet<HostState>,
  ): HostState[] {
    const stable: Array<(h: HostState) => boolean> = [];
    const unstable: Array<(h: HostState) => boolean> = [];
    for (const s of stages) {
      const t = stageTest(s);
      if (!t) continue;
      if (!s.filter || s.filter.verdictStableWithinRequest) stable.push(t);
      else unstable.push(t);
    }
    const out: HostState[] = [];
    outer: for (const h of previous) {
      if (changed.has(h)) for (const t of stable) if (!t(h)) continue outer;
      for (const t of unstable) if (!t(h)) continue outer;
      out.push(h);
    }
    return out;
  }

  private filterRequest(state: RequestState, index: number, now: number): FilterRequest {
    const spec = state.spec;
    const hints = spec.scheduler_hints ?? {};
    return {
      spec,
      config: this.config,
      instanceUuid: state.instanceUuid,
      groupHosts: state.groupHosts.slice(),
      index,
      now,
      hosts: this.hosts,
      hint: (name) => {
        const v = hints[name];
        if (v === undefined) return undefined;
        return v.length === 1 ? v[0] : v;
      },
    };
  }
}

function toSelection(h: HostState): Selection {
  return { host: h.host, nodename: h.nodename, compute_node_uuid: h.uuid, cell_uuid: h.cell_uuid };
}
