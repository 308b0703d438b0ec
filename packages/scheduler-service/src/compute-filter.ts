import { isServiceUp } from "@nova/objects";
import type { HostFilter } from "@nova/scheduler";

/**
 * Nova's ComputeFilter (enabled services that are up), judged by @nova/servicegroup's rule so the scheduler,
 * the API's `os-services` and the conductor agree on who is up. Registered under Nova's name, replacing the
 * library's built-in. With `upHosts` (a servicegroup driver named by `servicegroup_driver`, asked before each
 * request), the driver's answer decides instead of the database's heartbeat stamps, as Nova's filter asks
 * `service_is_up`.
 */
export function createComputeFilter(upHosts?: () => ReadonlySet<string>): HostFilter {
  return {
    name: "ComputeFilter",
    runFilterOncePerRequest: true,
    verdictStableWithinRequest: true,
    prepare(req) {
      const downTime = req.config.service_down_time;
      const driverUp = upHosts?.();
      const up = (h: Parameters<NonNullable<HostFilter["hostPasses"]>>[0]) =>
        driverUp
          ? h.service.forced_down !== true && driverUp.has(h.host)
          : // No heartbeat and no creation time: never heard from, so down.
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
              : driverUp
                ? "compute service down by the servicegroup driver"
                : `compute service not heard from in ${downTime} s`,
      };
    },
  };
}

/** The ComputeFilter over the database's heartbeat stamps (the `db` servicegroup driver). */
export const serviceGroupComputeFilter: HostFilter = createComputeFilter();
