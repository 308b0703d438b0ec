import type { SchedulingObserver } from "@nova/scheduler";
import type { NovaMetrics } from "./nova-metrics.js";

/**
 * A scheduling observer (the scheduler service's `schedulingObserver`) that counts decisions: their time by
 * outcome, refusals by reason, and hosts in and out of each filter (labels are filter names: a bounded set).
 */
export function createSchedulingObserver(metrics: NovaMetrics): SchedulingObserver {
  return {
    decision(d) {
      metrics.schedulerDecisionDuration.observe({ outcome: d.outcome }, d.seconds);
      if (d.outcome === "no_valid_host") metrics.schedulerNoValidHost.inc({ reason: d.reason ?? "unknown" });
      for (const stage of d.explanation?.stages ?? []) {
        metrics.schedulerFilterHostsIn.inc({ filter: stage.name }, stage.hosts_in);
        metrics.schedulerFilterHostsOut.inc({ filter: stage.name }, stage.hosts_out);
      }
    },
  };
}
