import type { WeighedHostReport } from "./explanation.js";
import type { HostState } from "./host-state.js";
import type { HostWeigher, PreparedWeigher } from "./weighers/host-weigher.js";

/** A weigher readied for a request, with its clamp. */
export interface ActiveWeigher {
  readonly weigher: HostWeigher;
  readonly prepared: PreparedWeigher;
}

/** Weights of hosts, index-aligned with the list weighed. */
export interface Weights {
  totals: Float64Array;
  /** Per weigher (in order): clamped raw values, normalised values, multipliers. Only when asked. */
  detail?: Array<{ raw: Float64Array; normalized: Float64Array; multiplier: Float64Array }>;
}

/**
 * Nova's BaseWeightHandler.get_weighed_objects, to the bit: each weigher's values are clamped, normalised
 * ((x - min) / (max - min), all 0 when min == max), multiplied per host and added to a running total that
 * starts at 0.0, weigher after weigher. With 0 or 1 hosts nothing is weighed.
 */
export function weighHosts(
  hosts: readonly HostState[],
  weighers: readonly ActiveWeigher[],
  withDetail = false,
): Weights {
  const n = hosts.length;
  const totals = new Float64Array(n);
  if (n <= 1) return withDetail ? { totals, detail: [] } : { totals };
  const detail: Weights["detail"] = withDetail ? [] : undefined;
  const raw = new Float64Array(n);
  for (const { weigher, prepared } of weighers) {
    const minClamp = weigher.minval ?? null;
    const maxClamp = weigher.maxval ?? null;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      let v = prepared.value(hosts[i]!);
      if (minClamp !== null && v < minClamp) v = minClamp;
      if (maxClamp !== null && v > maxClamp) v = maxClamp;
      raw[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const minval = minClamp ?? lo;
    const maxval = maxClamp ?? hi;
    const normalized = withDetail ? new Float64Array(n) : null;
    const mults = withDetail ? new Float64Array(n) : null;
    if (minval === maxval) {
      // Every normalised value is the integer 0: multiplier * 0 adds nothing (unless the multiplier is not finite).
      for (let i = 0; i < n; i++) {
        const m = prepared.multiplier(hosts[i]!);
        if (mults) mults[i] = m;
        if (!Number.isFinite(m)) totals[i] = totals[i]! + m * 0;
      }
    } else {
      const range = maxval - minval;
      for (let i = 0; i < n; i++) {
        const w = (raw[i]! - minval) / range;
        const m = prepared.multiplier(hosts[i]!);
        totals[i] = totals[i]! + m * w;
        if (normalized) normalized[i] = w;
        if (mults) mults[i] = m;
      }
    }
    if (detail) detail.push({ raw: raw.slice(), normalized: normalized!, multiplier: mults! });
  }
  return detail ? { totals, detail } : { totals };
}

/** Orders indexes by weight, highest first; equal weights keep the order given (Python's stable sort). */
export function sortByWeight(totals: Float64Array): Int32Array {
  const idx = new Int32Array(totals.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => {
    const x = totals[a]!;
    const y = totals[b]!;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
}

/** The per-host weigher breakdown of a weighed list, for explanations and replays. */
export function weighedReport(
  hosts: readonly HostState[],
  order: ArrayLike<number>,
  weights: Weights,
  weighers: readonly ActiveWeigher[],
): WeighedHostReport[] {
  const out: WeighedHostReport[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const h = hosts[i]!;
    const scores: WeighedHostReport["weighers"] = {};
    weighers.forEach((w, j) => {
      const d = weights.detail?.[j];
      if (d)
        scores[w.weigher.name] = {
          raw: d.raw[i]!,
          normalized: d.normalized[i]!,
          multiplier: d.multiplier[i]!,
        };
    });
    out.push({ host: h.host, nodename: h.nodename, weight: weights.totals[i]!, weighers: scores });
  }
  return out;
}
