import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import {
  createDatabaseObserver,
  createInstanceActivityObserver,
  createLivenessObserver,
  NovaMetrics,
} from "../src/index.js";

class DbNotFound extends Error {
  override name = "NotFoundError";
}

describe("liveness, heartbeat, database and fault metrics", () => {
  it("count transitions, read heartbeat ages at the scrape, time repository methods and label faults by class", async () => {
    const metrics = new NovaMetrics("nova-conductor");
    const clock = new FakeClock(Date.parse("2026-12-07T00:00:00Z"));
    const liveness = createLivenessObserver(metrics);
    liveness.transition({ binary: "nova-compute", host: "c1" }, "down");
    liveness.transition({ binary: "nova-compute", host: "c1" }, "up");
    liveness.transition({ binary: "nova-compute", host: "c1" }, "down");
    let services = [
      { binary: "nova-compute", host: "c1", lastSeenUp: clock.now() - 90_000 },
      { binary: "nova-compute", host: "c2", lastSeenUp: null },
    ];
    metrics.watchHeartbeats(async () => services, clock);
    const db = createDatabaseObserver(metrics, "cell");
    db.repositoryCall({ repository: "instances", method: "list", seconds: 0.002 });
    db.repositoryCall({ repository: "instances", method: "get", seconds: 0.001, error: new DbNotFound() });
    db.poolConnectionsInUse(3);
    const activity = createInstanceActivityObserver(metrics);
    activity.faultRecorded({ error: new DbNotFound(), code: 404 });
    activity.rescheduled({ operation: "move" });

    let text = await metrics.text();
    const has = (re: RegExp) => expect(text).toMatch(re);
    has(
      /nova_service_liveness_transitions_total\{binary="nova-compute",host="c1",state="down",service="nova-conductor"\} 2/,
    );
    has(
      /nova_service_liveness_transitions_total\{binary="nova-compute",host="c1",state="up",service="nova-conductor"\} 1/,
    );
    const age =
      /nova_service_heartbeat_age_seconds\{binary="nova-compute",host="c1",service="nova-conductor"\} ([\d.]+)/.exec(
        text,
      );
    expect(Number(age?.[1])).toBe(90);
    // A service that never reported has no age.
    expect(text).not.toMatch(/heartbeat_age_seconds\{[^}]*host="c2"/);
    has(/nova_db_query_duration_seconds_count\{service="nova-conductor",method="instances\.list"\} 1/);
    has(
      /nova_db_query_errors_total\{method="instances\.get",error="NotFoundError",service="nova-conductor"\} 1/,
    );
    has(/nova_db_pool_connections_in_use\{database="cell",service="nova-conductor"\} 3/);
    has(/nova_instance_faults_total\{error="NotFoundError",code="404",service="nova-conductor"\} 1/);
    has(/nova_instance_reschedules_total\{operation="move",service="nova-conductor"\} 1/);

    // A deleted service leaves the gauge at the next scrape.
    services = [];
    text = await metrics.text();
    expect(text).not.toMatch(/heartbeat_age_seconds\{[^}]*host="c1"/);
  });

  it("labels nova-api's per-cell pools with the cell's name, and a service's own databases without one", async () => {
    const metrics = new NovaMetrics("nova-api");
    createDatabaseObserver(metrics, "cell").repositoryCall({
      repository: "instances",
      method: "list",
      seconds: 0.1,
    });
    const cell1 = createDatabaseObserver(metrics, "cell", "cell1");
    cell1.repositoryCall({ repository: "instances", method: "list", seconds: 0.2 });
    cell1.repositoryCall({ repository: "instances", method: "get", seconds: 0.1, error: new DbNotFound() });
    cell1.poolConnectionsInUse(2);
    createDatabaseObserver(metrics, "cell0", "cell0").poolConnectionsInUse(1);
    const text = await metrics.text();
    expect(text).toMatch(
      /nova_db_query_duration_seconds_count\{service="nova-api",method="instances\.list"\} 1/,
    );
    expect(text).toMatch(
      /nova_db_query_duration_seconds_count\{service="nova-api",method="instances\.list",cell="cell1"\} 1/,
    );
    expect(text).toMatch(
      /nova_db_query_errors_total\{method="instances\.get",error="NotFoundError",cell="cell1",service="nova-api"\} 1/,
    );
    expect(text).toMatch(
      /nova_db_pool_connections_in_use\{database="cell",cell="cell1",service="nova-api"\} 2/,
    );
    expect(text).toMatch(
      /nova_db_pool_connections_in_use\{database="cell0",cell="cell0",service="nova-api"\} 1/,
    );
  });
});
