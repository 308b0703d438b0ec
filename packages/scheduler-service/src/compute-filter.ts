import { isServiceUp } from "@nova/objects";
import type { HostFilter } from "@nova/scheduler";

/**
 * Nova's ComputeFilter (enabled services that are up), judged by @nova/servicegroup's rule so the scheduler,
 * the API's `os-services` and the conductor agree on who is up. Registered under Nova's name, replacing the
 * library's built-in.
 */
export const serviceGroupComputeFilter: HostFilter = {
  name: "ComputeFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const downTime = req.config.service_down_time;
    const up = (h: Parameters<NonNullable<HostFilter["hostPasses"]>>[0]) =>
      // No heartbeat and no creation time: never heard from, so down.
      isServiceUp(
        { forced_down: h.service.forced_down === true, last_seen_up: h.service.last_seen_up },
        req.now,
        downTime,
      );
    return {
      passes: (h) => !h.service.disabled && up(h),
      reason: (h) =>
        h.service.disabled
          ? `compute service disabled (${h.service.disabled_reason ?? "no reason given"})`
          : h.service.forced_down
            ? "compute service forced down"
            : `compute service not heard from in ${downTime} s`,
    };
  },
};
