import { pyStrip } from "./python-semantics.js";
import type { AggregateInput } from "./types.js";

/**
 * The aggregates one or more hosts belong to. Hosts with the same set share one instance, so every
 * aggregate-only answer (zone, tenant, extra specs, multipliers) is worked out once per set, not per host.
 */
export class AggregateSet {
  private all: Map<string, Set<string>> | undefined;
  private readonly byKey = new Map<string, Map<string, Set<string>>>();
  private readonly raw = new Map<string, Set<string>>();

  constructor(
    readonly key: string,
    readonly aggregates: readonly AggregateInput[],
  ) {}

  /** Nova's aggregate_metadata_get_by_host: values split on "," and stripped, from aggregates having `key`. */
  metadata(key?: string): ReadonlyMap<string, ReadonlySet<string>> {
    if (key === undefined) {
      this.all ??= this.collect(undefined);
      return this.all;
    }
    let m = this.byKey.get(key);
    if (!m) {
      m = this.collect(key);
      this.byKey.set(key, m);
    }
    return m;
  }

  /** Nova's aggregate_values_from_key: the raw values of `key` across the aggregates. */
  values(key: string): ReadonlySet<string> {
    let s = this.raw.get(key);
    if (!s) {
      s = new Set();
      for (const a of this.aggregates) {
        const v = a.metadata[key];
        if (v !== undefined) s.add(v);
      }
      this.raw.set(key, s);
    }
    return s;
  }

  private collect(key: string | undefined): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const a of this.aggregates) {
      if (key !== undefined && !(key in a.metadata)) continue;
      for (const [k, v] of Object.entries(a.metadata)) {
        let s = out.get(k);
        if (!s) {
          s = new Set();
          out.set(k, s);
        }
        for (const part of v.split(",")) s.add(pyStrip(part));
      }
    }
    return out;
  }
}
