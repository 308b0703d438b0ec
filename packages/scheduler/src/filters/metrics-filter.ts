import { parseWeightSetting } from "../weighers/metrics-weigher.js";
import { type HostFilter, PASSES_ALL } from "./host-filter.js";

/** MetricsFilter: hosts reporting every metric named in `[metrics] weight_setting`. */
export const metricsFilter: HostFilter = {
  name: "MetricsFilter",
  verdictStableWithinRequest: true,
  prepare(req) {
    const keys = [...new Set(parseWeightSetting(req.config.metrics_weight_setting).map(([k]) => k))];
    if (keys.length === 0) return PASSES_ALL;
    return {
      passes: (h) => keys.every((k) => h.metrics.some((m) => m.name === k)),
      reason: (h) => `missing metrics ${keys.filter((k) => !h.metrics.some((m) => m.name === k)).join(", ")}`,
    };
  },
};
