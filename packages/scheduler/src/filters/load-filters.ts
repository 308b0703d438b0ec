import type { HostState } from "../host-state.js";
import { pyInt } from "../python-semantics.js";
import type { HostFilter, PreparedFilter } from "./host-filter.js";

// Nova's validate_num_values(cast_to=int): the minimum over the aggregates' values, the option when none,
// and the option again when any value is not an integer.
function aggregateLimit(h: HostState, key: string, fallback: number): number {
  const vals = h.aggregateSet.values(key);
  if (vals.size === 0) return fallback;
  try {
    return Math.min(...[...vals].map(pyInt));
  } catch {
    return fallback;
  }
}

function loadFilter(
  name: string,
  stat: "num_io_ops" | "num_instances",
  option: "max_io_ops_per_host" | "max_instances_per_host",
  perAggregate: boolean,
): HostFilter {
  return {
    name,
    verdictStableWithinRequest: true,
    prepare(req): PreparedFilter {
      const global = req.config[option];
      const limit = perAggregate ? (h: HostState) => aggregateLimit(h, option, global) : () => global;
      return {
        passes: (h) => h[stat] < limit(h),
        reason: (h) => `${stat} ${h[stat]} is not below ${option} ${limit(h)}`,
      };
    },
  };
}

/** IoOpsFilter: fewer than max_io_ops_per_host concurrent I/O-heavy operations. */
export const ioOpsFilter = loadFilter("IoOpsFilter", "num_io_ops", "max_io_ops_per_host", false);
/** AggregateIoOpsFilter: IoOpsFilter with the limit from aggregate metadata (minimum wins). */
export const aggregateIoOpsFilter = loadFilter(
  "AggregateIoOpsFilter",
  "num_io_ops",
  "max_io_ops_per_host",
  true,
);
/** NumInstancesFilter: fewer than max_instances_per_host instances. */
export const numInstancesFilter = loadFilter(
  "NumInstancesFilter",
  "num_instances",
  "max_instances_per_host",
  false,
);
/** AggregateNumInstancesFilter: NumInstancesFilter with the limit from aggregate metadata (minimum wins). */
export const aggregateNumInstancesFilter = loadFilter(
  "AggregateNumInstancesFilter",
  "num_instances",
  "max_instances_per_host",
  true,
);
