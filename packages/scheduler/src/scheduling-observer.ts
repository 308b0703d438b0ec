import type { SchedulingExplanation } from "./explanation.js";

/** One select_destinations decision, as a scheduler service reports it. */
export interface SchedulingDecision {
  /** The request id of the caller's context, when it sent one. */
  request_id: string | undefined;
  /** Hosts were claimed, or the request was refused with NoValidHost. */
  outcome: "selected" | "no_valid_host";
  /** Time the decision took, claims included. */
  seconds: number;
  /**
   * A bounded reason of a refusal: the step that emptied the host list (a filter name), `not_enough_hosts`,
   * or `lost_races`; null when hosts were selected.
   */
  reason: string | null;
  /** Hosts in and out per step and why each host was rejected (null when none was built). */
  explanation: SchedulingExplanation | null;
}

/** Watches a scheduler's decisions (metrics, a live console); it must not throw. */
export interface SchedulingObserver {
  /** A request was placed or refused. */
  decision(decision: SchedulingDecision): void;
}
