import { NovaError } from "@nova/core";
import type { HostState } from "../host-state.js";
import { pyFloat } from "../python-semantics.js";
import type { HostWeigher } from "./host-weigher.js";
import { multiplierFor } from "./host-weigher.js";

/** A host lacks a metric that `[metrics] required` demands (Nova's ComputeHostMetricNotFound). */
export class ComputeHostMetricNotFoundError extends NovaError {
  /** Builds "metric <name> not found on host <host> node <node>". */
  constructor(
    /** The host without the metric. */
    readonly host: string,
    /** Its node. */
    readonly node: string,
    /** The metric `[metrics] required` asked for. */
    readonly metric: string,
  ) {
    super(
      "SCHEDULER_COMPUTE_HOST_METRIC_NOT_FOUND",
      `metric ${metric} not found on host ${host} node ${node}`,
    );
  }
}

/** Nova's parse_options(sep="=", converter=float): ["name=ratio", ...] to pairs, invalid entries dropped. */
export function parseWeightSetting(setting: readonly string[]): Array<[string, number]> {
  const good: Array<[string, number]> = [];
  for (const opt of setting) {
    const i = opt.indexOf("=");
    if (i < 0) continue;
    const key = opt.slice(0, i);
    try {
      const v = pyFloat(opt.slice(i + 1));
      if (key) good.push([key, v]);
    } catch {
      // Nova logs and ignores an invalid element.
    }
  }
  return good;
}

/** MetricsWeigher: sum of metric value x ratio from `[metrics] weight_setting`. */
export const metricsWeigher: HostWeigher = {
  name: "MetricsWeigher",
  valueStableWithinRequest: true,
  prepare: ({ config }) => {
    const setting = parseWeightSetting(config.metrics_weight_setting);
    const multiplier = multiplierFor("metrics_weight_multiplier", config.metrics_weight_multiplier);
    return {
      multiplier,
      ...(setting.length === 0
        ? { values: (_hs: readonly HostState[], out: Float64Array) => out.fill(0.0) }
        : {}),
      value: (h) => {
        let value = 0.0;
        for (const [name, ratio] of setting) {
          // Nova keys the metrics by name, so the last one of a name wins.
          let m: { value: number } | undefined;
          for (const x of h.metrics) if (x.name === name) m = x;
          if (m) {
            value += m.value * ratio;
          } else if (config.metrics_required) {
            throw new ComputeHostMetricNotFoundError(h.host, h.nodename, name);
          } else if (ratio * multiplier(h) !== 0) {
            return config.metrics_weight_of_unavailable;
          }
        }
        return value;
      },
    };
  },
};
