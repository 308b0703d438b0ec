import { type Clock, systemClock } from "@nova/core";
import type { SchedulingDecision, SchedulingObserver } from "@nova/scheduler";
import type { DecisionRecord } from "./console-state.js";

// A refusal lists every rejected host; a big cloud rejects thousands, and a page needs a few dozen.
const MAX_REJECTED = 100;

/**
 * The scheduler's recent decisions for the NoValidHost view: how each filter narrowed the hosts and why
 * each host was rejected, from the explanation `@nova/scheduler` builds.
 */
export class DecisionLog {
  /** Give this to the scheduler service (`schedulingObserver`). */
  readonly observer: SchedulingObserver;
  private readonly records: DecisionRecord[] = [];
  private readonly listeners = new Set<(record: DecisionRecord) => void>();

  /** An empty log keeping the last `max` decisions. */
  constructor(
    private readonly max = 50,
    private readonly clock: Pick<Clock, "now"> = systemClock,
  ) {
    this.observer = { decision: (d) => this.add(d) };
  }

  /** The decisions kept, oldest first. */
  list(): DecisionRecord[] {
    return [...this.records];
  }

  /** Calls `listener` with each new decision; returns the unsubscribe. */
  subscribe(listener: (record: DecisionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(d: SchedulingDecision): void {
    const e = d.explanation;
    const record: DecisionRecord = {
      at: this.clock.now(),
      request_id: d.request_id ?? null,
      outcome: d.outcome,
      reason: d.reason,
      duration_ms: d.seconds * 1000,
      hosts_considered: e?.hosts_considered ?? 0,
      stages: e?.stages.map((s) => ({ name: s.name, hosts_in: s.hosts_in, hosts_out: s.hosts_out })) ?? [],
      rejected:
        e?.rejected
          .slice(0, MAX_REJECTED)
          .map((r) => ({ host: r.host, rejected_by: r.rejected_by, reason: r.reason })) ?? [],
    };
    this.records.push(record);
    if (this.records.length > this.max) this.records.shift();
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // Never break the scheduler for a page.
      }
    }
  }
}
