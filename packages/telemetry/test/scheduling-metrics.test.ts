import { describe, expect, it } from "vitest";
import { createSchedulingObserver, NovaMetrics } from "../src/index.js";

describe("scheduler metrics", () => {
  it("count decisions by outcome, refusals by reason and hosts in and out per filter", async () => {
    const metrics = new NovaMetrics("nova-scheduler");
    const observer = createSchedulingObserver(metrics);
    const stages = [
      { name: "ComputeFilter", hosts_in: 3, hosts_out: 2 },
      { name: "RamFilter", hosts_in: 2, hosts_out: 0 },
    ];
    const explanation = {
      instance_uuid: null,
      hosts_considered: 3,
      stages,
      emptied_by: "RamFilter",
      rejected: [],
      passed: [],
      weighed: [],
    };
    observer.decision({
      request_id: "r1",
      outcome: "no_valid_host",
      seconds: 0.02,
      reason: "RamFilter",
      explanation,
    });
    observer.decision({
      request_id: "r2",
      outcome: "selected",
      seconds: 0.004,
      reason: null,
      explanation: null,
    });
    const text = await metrics.text();
    expect(text).toContain(
      'nova_scheduler_no_valid_host_total{reason="RamFilter",service="nova-scheduler"} 1',
    );
    expect(text).toContain(
      'nova_scheduler_filter_hosts_in_total{filter="ComputeFilter",service="nova-scheduler"} 3',
    );
    expect(text).toContain(
      'nova_scheduler_filter_hosts_out_total{filter="RamFilter",service="nova-scheduler"} 0',
    );
    expect(text).toContain(
      'nova_scheduler_decision_duration_seconds_count{service="nova-scheduler",outcome="no_valid_host"} 1',
    );
    expect(text).toContain(
      'nova_scheduler_decision_duration_seconds_count{service="nova-scheduler",outcome="selected"} 1',
    );
  });
});
