import type { SchedulerConfig } from "../config.js";
import type { HostState } from "../host-state.js";
import type { RequestSpec } from "../types.js";

/** Read access to the host manager's indexes, for filters that can name their candidates. */
export interface HostIndex {
  /** Host states whose host name is `host` (case-sensitive, as Nova compares). */
  hostsNamed(host: string): readonly HostState[];
  /** The host states holding an instance (normally one). */
  hostsOfInstance(instanceUuid: string): readonly HostState[];
  /** Every host state in input order. */
  all(): readonly HostState[];
  /** Hosts whose compute service is disabled, forced down, or not heard from within `serviceDownTime` s. */
  unavailableHosts(nowMs: number, serviceDownTime: number): readonly HostState[];
}

/** What a filter sees of one scheduling request, for one instance of it. */
export interface FilterRequest {
  /** The request being filtered for. */
  readonly spec: RequestSpec;
  /** The scheduler's options. */
  readonly config: SchedulerConfig;
  /** The instance being placed now (Nova rewrites spec_obj.instance_uuid per instance). */
  readonly instanceUuid: string | null;
  /** The server group's hosts, grown by each host picked in this request. */
  readonly groupHosts: readonly string[];
  /** Index of the instance in the request (0 for the first). */
  readonly index: number;
  /** The clock, milliseconds since the epoch. */
  readonly now: number;
  /** The hosts' index, for filters that look across hosts. */
  readonly hosts: HostIndex;
  /** Nova's RequestSpec.get_scheduler_hint: the single element of a one-element list, else the list. */
  hint(name: string): string | readonly string[] | undefined;
}

/** A filter readied for one request (and instance index). */
export interface PreparedFilter {
  /** The verdict for one host; null means every host passes (the filter is skipped). */
  readonly passes: ((host: HostState) => boolean) | null;
  /** Why a host was rejected (called only for rejected hosts, only when an explanation is wanted). */
  reason(host: HostState): string;
  /** The verdict depends only on the host's aggregates: computed once per distinct aggregate set. */
  readonly byAggregates?: boolean;
  /** The verdict depends only on (hypervisor_version, supported_instances): computed once per distinct pair. */
  readonly byImageSupport?: boolean;
  /** When set, only these hosts can pass (an index lookup); the rest are rejected without a look. */
  readonly candidates?: readonly HostState[] | null;
  /** When set, only these hosts can fail (an index lookup); the rest pass without a look. */
  readonly onlyCanReject?: readonly HostState[] | null;
}

/**
 * A host filter. Implement `hostPasses` (and optionally `reason`) for a simple filter, or `prepare` to do
 * per-request work once. Register it with `FilterRegistry.register` and name it in `enabled_filters`.
 */
export interface HostFilter {
  /** The name used in `enabled_filters`. */
  readonly name: string;
  /** Nova's run_filter_once_per_request: later instances of a multi-instance request skip the filter. */
  readonly runFilterOncePerRequest?: boolean;
  /** Nova's RUN_ON_REBUILD: when false, a rebuild request passes every host. */
  readonly runOnRebuild?: boolean;
  /**
   * Promise that, within one request, a host whose state did not change keeps its verdict from one instance
   * to the next (so later instances re-check only the host just picked). Leave unset when unsure.
   */
  readonly verdictStableWithinRequest?: boolean;
  /** Readies the filter for one request (instead of hostPasses). */
  prepare?(request: FilterRequest): PreparedFilter;
  /** Whether `host` passes, when the filter needs no preparation. */
  hostPasses?(host: HostState, request: FilterRequest): boolean;
  /** Why `host` failed, for the explanation. */
  reason?(host: HostState, request: FilterRequest): string;
}

/** A prepared filter that passes every host (shared: nothing to allocate per request). */
export const PASSES_ALL: PreparedFilter = Object.freeze({ passes: null, reason: () => "" });

/** Readies a filter for a request, whichever way it is written. */
export function prepareFilter(filter: HostFilter, request: FilterRequest): PreparedFilter {
  if (filter.prepare) return filter.prepare(request);
  const passes = filter.hostPasses;
  if (!passes) throw new TypeError(`filter ${filter.name} has neither prepare nor hostPasses`);
  return {
    passes: (h) => passes.call(filter, h, request),
    reason: (h) => filter.reason?.call(filter, h, request) ?? `rejected by ${filter.name}`,
  };
}
