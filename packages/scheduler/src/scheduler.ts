import { type Clock, systemClock } from "@nova/core";
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
import { WeighedPool } from "./ranking.js";
import { PluginRegistry } from "./registry.js";
import type { RequestSpec } from "./types.js";
import type { ActiveWeigher } from "./weighing.js";

/** One chosen (or alternate) destination. */
export interface Selection {
  /** The compute host's name. */
  host: string;
  /** The node's hypervisor hostname. */
  nodename: string;
  /** The compute node's UUID. */
  compute_node_uuid: string;
  /** The cell the node is in. */
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
  /** Per instance: the chosen destination first, then the alternates. */
  selections: Selection[][];
  /** Why hosts were rejected and how the rest were weighed (when asked for). */
  explanation: SchedulingExplanation | null;
}

/** What a Scheduler is built from. */
export interface SchedulerDeps {
  /** The parsed `[filter_scheduler]` options. */
  config: SchedulerConfig;
  /** The host states to choose from. */
  hosts: HostManager;
  /** Filters and weighers by name; defaults to the built-ins. */
  plugins?: PluginRegistry;
  /** The time service liveness is judged at; the system clock by default. */
  clock?: Pick<Clock, "now">;
  /** Uniform in [0, 1): host_subset_size > 1 and shuffle_best_same_weighed_hosts. */
  random?: () => number;
}

interface RequestState {
  spec: RequestSpec;
  instanceUuid: string | null;
  groupHosts: string[];
  hint: FilterRequest["hint"];
}

/** Nova's SchedulerManager.select_destinations over a HostManager, as a pure, synchronous computation. */
export class Scheduler {
  private readonly config: SchedulerConfig;
  private readonly hosts: HostManager;
  private readonly plugins: PluginRegistry;
  private readonly clock: Pick<Clock, "now">;
  private readonly random: () => number;

  /**
   * A scheduler over the host states in `deps.hosts`, with the filters and weighers `deps.config` enables.
   */
  constructor(deps: SchedulerDeps) {
    this.config = deps.config;
    this.hosts = deps.hosts;
    this.plugins = deps.plugins ?? new PluginRegistry();
    this.clock = deps.clock ?? systemClock;
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
    const now = this.clock.now();
    const uuids = spec.instance_uuids && spec.instance_uuids.length > 0 ? spec.instance_uuids : null;
    const count = uuids ? uuids.length : (spec.num_instances ?? 1);
    const numAlts = config.max_attempts - 1;
    const hints = spec.scheduler_hints ?? {};
    const state: RequestState = {
      spec,
      instanceUuid: spec.instance_uuid ?? null,
      groupHosts: [...(spec.instance_group?.hosts ?? [])],
      hint: (name) => {
        const v = hints[name];
        if (v === undefined) return undefined;
        return v.length === 1 ? v[0] : v;
      },
    };
    const filters = config.enabled_filters.map((n) => this.plugins.filter(n));
    const weighers: ActiveWeigher[] = config.weight_classes.map((n) => {
      const weigher = this.plugins.weigher(n);
      return { weigher, prepared: weigher.prepare({ spec, config, hosts: this.hosts }) };
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
    let pool: WeighedPool | null = null;
    let claimedLi = -1;
    let lastIndex = 0;

    const stagesFor = (index: number, first: boolean): Stage[] => {
      const request = this.filterRequest(state, index, now);
      const base = first ? pre : preRepeat;
      return base.skipFilters ? base.stages : [...base.stages, ...filterStages(filters, request, rebuild)];
    };

    const explainRound0 = (): SchedulingExplanation => {
      const run = runStagesExplained(this.hosts.all(), stagesFor(0, true));
      return {
        instance_uuid: state.instanceUuid,
        hosts_considered: this.hosts.size,
        stages: run.reports,
        emptied_by: run.emptiedBy,
        rejected: run.rejected,
        passed: run.survivors.map((h) => ({ host: h.host, nodename: h.nodename })),
        weighed: [],
      };
    };

    // Nova's _get_sorted_hosts for instance `index`: filter, weigh, order; then move a random pick of the
    // best host_subset_size hosts to the front. Returns the round's list, lazily: list(i) is its i-th host.
    const sortedHosts = (index: number): ((i: number) => number | undefined) | null => {
      if (index === 0) {
        let survivors: HostState[];
        let positions: Int32Array | null = null;
        if (options.explain) {
          explanation = explainRound0();
          const byKey = new Set(explanation.passed.map((p) => `${p.host}\u0000${p.nodename}`));
          survivors = this.hosts.all().filter((h) => byKey.has(`${h.host}\u0000${h.nodename}`));
        } else {
          const fast = runStagesFast(this.hosts, stagesFor(0, true));
          survivors = fast.hosts;
          positions = fast.positions;
        }
        if (survivors.length === 0) return null;
        pool = new WeighedPool(
          survivors,
          weighers,
          positions ? { positions, columns: this.hosts.columns } : undefined,
        );
      } else {
        this.refilter(pool!, stagesFor(index, false), claimedLi);
        if (pool!.aliveCount === 0) return null;
        pool!.refreshUnstable();
      }
      const p = pool!;
      p.beginRound();
      if (index === 0 && explanation) {
        (explanation as SchedulingExplanation).weighed = p.report(p.fullOrder());
      }
      let prefix = p.sortedPrefix(config.host_subset_size + numAlts + 2);
      if (config.shuffle_best_same_weighed_hosts) {
        const best = p.total(prefix[0]!);
        while (prefix.length < p.aliveCount && p.total(prefix[prefix.length - 1]!) === best) {
          prefix = p.sortedPrefix(prefix.length * 2);
        }
        const group = prefix.filter((li) => p.total(li) === best);
        for (let i = group.length - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [group[i], group[j]] = [group[j]!, group[i]!];
        }
        p.setShuffled(group);
        prefix = p.sortedPrefix(prefix.length);
      }
      const subset = Math.min(config.host_subset_size, prefix.length);
      const pick = prefix[subset <= 1 ? 0 : Math.floor(this.random() * subset)]!;
      p.setPick(pick);
      return (i) => {
        if (i === 0) return pick;
        // The rest of the list is the order without the pick: extend the prefix when needed.
        while (prefix.length < Math.min(i + 1, p.aliveCount) && prefix.length < p.aliveCount) {
          prefix = p.sortedPrefix(Math.max(prefix.length * 2, i + 2));
        }
        const q = prefix.indexOf(pick);
        return prefix[q < 0 || i <= q ? i - 1 : i];
      };
    };

    const fail = (reason: string): never => {
      for (const u of undo.reverse()) u();
      if (!explanation) {
        state.instanceUuid = uuids ? uuids[0]! : (spec.instance_uuid ?? null);
        state.groupHosts = [...(spec.instance_group?.hosts ?? [])];
        explanation = explainRound0();
      }
      throw new NoValidHostError(reason, explanation);
    };

    let list: ((i: number) => number | undefined) | null = null;
    try {
      for (let num = 0; num < count; num++) {
        lastIndex = num;
        if (uuids) state.instanceUuid = uuids[num]!;
        list = sortedHosts(num);
        if (!list) break;
        const hostsOfPool = (pool as WeighedPool | null)!.hosts;
        // The claim: with the resource-fit step on, the first host that still fits (as a placement claim).
        let claimed = -1;
        for (let i = 0; ; i++) {
          const li = list(i);
          if (li === undefined) break;
          if (!config.placement_resource_fit || fitsResources(hostsOfPool[li]!, resources) === null) {
            claimed = li;
            break;
          }
        }
        if (claimed < 0) break;
        const host = hostsOfPool[claimed]!;
        selected.push(host);
        const instanceUuid = uuids ? uuids[num]! : null;
        const hasGroup = spec.instance_group !== null && spec.instance_group !== undefined;
        undo.push(this.hosts.consume(host, consumption, hasGroup ? instanceUuid : null));
        if (hasGroup) state.groupHosts.push(host.host);
        (pool as WeighedPool | null)!.update(claimed);
        claimedLi = claimed;
      }
      if (selected.length !== count) {
        fail(count > 1 ? "There are not enough hosts available." : "Filtering removed all hosts.");
      }

      if (lastIndex > 0 && numAlts > 0) list = sortedHosts(lastIndex);
    } catch (err) {
      // A plug-in that failed mid-request (PluginFailedError) leaves no claim behind; fail() already undid its own.
      if (!NoValidHostError.isInstance(err)) for (const u of undo.reverse()) u();
      throw err;
    }
    const chosen = new Set(selected);
    const poolHosts = (pool as WeighedPool | null)!.hosts;
    const selections = selected.map((h) => {
      const out: Selection[] = [toSelection(h)];
      for (let i = 0; list && out.length < numAlts + 1; i++) {
        const li = list(i);
        if (li === undefined) break;
        const alt = poolHosts[li]!;
        if (alt.cell_uuid === h.cell_uuid && !chosen.has(alt)) out.push(toSelection(alt));
      }
      return out;
    });
    if (options.claim === false) for (const u of undo.reverse()) u();
    return { selections, explanation };
  }

  /** Later instances: only what can have changed is re-checked (the host just claimed; unstable filters). */
  private refilter(pool: WeighedPool, stages: readonly Stage[], changed: number): void {
    const stable: Array<(h: HostState) => boolean> = [];
    const unstable: Array<(h: HostState) => boolean> = [];
    for (const s of stages) {
      const t = stageTest(s);
      if (!t) continue;
      if (!s.filter || s.filter.verdictStableWithinRequest) stable.push(t);
      else unstable.push(t);
    }
    if (changed >= 0 && pool.alive[changed] && !stable.every((t) => t(pool.hosts[changed]!)))
      pool.remove(changed);
    if (unstable.length === 0) return;
    for (let li = 0; li < pool.m; li++) {
      if (pool.alive[li] && !unstable.every((t) => t(pool.hosts[li]!))) pool.remove(li);
    }
  }

  private filterRequest(state: RequestState, index: number, now: number): FilterRequest {
    return {
      spec: state.spec,
      config: this.config,
      instanceUuid: state.instanceUuid,
      groupHosts: state.groupHosts.slice(),
      index,
      now,
      hosts: this.hosts,
      hint: state.hint,
    };
  }
}

function toSelection(h: HostState): Selection {
  return { host: h.host, nodename: h.nodename, compute_node_uuid: h.uuid, cell_uuid: h.cell_uuid };
}
