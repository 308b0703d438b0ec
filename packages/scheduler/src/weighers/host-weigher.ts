import type { AggregateSet } from "../aggregate-set.js";
import type { SchedulerConfig } from "../config.js";
import type { HostIndex } from "../filters/host-filter.js";
import type { ColumnName } from "../host-columns.js";
import type { HostState } from "../host-state.js";
import { pyFloat } from "../python-semantics.js";
import type { RequestSpec } from "../types.js";

/** What a weigher sees of a request. */
export interface WeighRequest {
  /** The request being weighed for. */
  readonly spec: RequestSpec;
  /** The scheduler's options. */
  readonly config: SchedulerConfig;
  /** Every host the scheduler knows, for weighers that look across hosts (a rack's load, say). */
  readonly hosts?: HostIndex;
}

/** A weigher readied for one request. */
export interface PreparedWeigher {
  /** The raw weight of a host (before the minval/maxval clamp). */
  value(host: HostState): number;
  /** The multiplier for a host (aggregate metadata may override the option). */
  multiplier(host: HostState): number;
  /** Optional batch form of `value`: fills `out[i]` with the value of `hosts[i]` (faster for many hosts). */
  values?(hosts: readonly HostState[], out: Float64Array): void;
  /** Built-ins: the value is this host-manager column (same expression, kept by position). */
  readonly column?: ColumnName;
}

/**
 * A host weigher: higher weights win. Values are normalised to [0, 1] over the hosts being weighed
 * (with `minval`/`maxval` fixing the ends when set), multiplied and summed in `weight_classes` order.
 */
export interface HostWeigher {
  /** The name used in `weight_classes`. */
  readonly name: string;
  /** Lowest value for normalization (default: the smallest seen). */
  readonly minval?: number | null;
  /** Highest value for normalization (default: the largest seen). */
  readonly maxval?: number | null;
  /**
   * Promise that a host's value and multiplier depend only on its own state and the request, so a host that
   * did not change keeps them between the instances of one request. Leave unset when unsure.
   */
  readonly valueStableWithinRequest?: boolean;
  /** Readies the weigher for one request. */
  prepare(request: WeighRequest): PreparedWeigher;
}

/** Nova's get_weight_multiplier: the minimum float() of the aggregates' values for `key`, else the option. */
export function aggregateMultiplier(set: AggregateSet, key: string, fallback: number): number {
  const vals = set.values(key);
  if (vals.size === 0) return fallback;
  try {
    return Math.min(...[...vals].map(pyFloat));
  } catch {
    return fallback;
  }
}

/** A multiplier lookup memoised per aggregate set (hosts in the same aggregates share it). */
export function multiplierFor(key: string, fallback: number, negate = false): (h: HostState) => number {
  const memo = new Map<AggregateSet, number>();
  return (h) => {
    let m = memo.get(h.aggregateSet);
    if (m === undefined) {
      m = aggregateMultiplier(h.aggregateSet, key, fallback);
      if (negate) m = -1 * m;
      memo.set(h.aggregateSet, m);
    }
    return m;
  };
}
