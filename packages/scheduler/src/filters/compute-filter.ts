import type { HostFilter } from "./host-filter.js";

/** ComputeFilter: passes enabled compute services that are up. */
export const computeFilter: HostFilter = {
  name: "ComputeFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const downTime = req.config.service_down_time;
    return {
      passes: (h) => !h.service.disabled && h.isUp(req.now, downTime),
      reason: (h) =>
        h.service.disabled
          ? `compute service disabled (${h.service.disabled_reason ?? "no reason given"})`
          : h.service.forced_down
            ? "compute service forced down"
            : `compute service not heard from in ${downTime} s`,
    };
  },
};
