/** One step of the pipeline: a pre-filter step (placement fit, ignore_hosts, ...) or a filter. */
export interface StageReport {
  /** Filter name, or `Placement`, `RequestedDestination`, `IgnoreHosts`, `ForceHosts`, `ForceNodes`, `Cell`. */
  name: string;
  /** Hosts that entered the step. */
  hosts_in: number;
  /** Hosts that passed it. */
  hosts_out: number;
}

/** A host removed from consideration, by the first step that rejected it. */
export interface RejectedHost {
  /** The rejected compute host. */
  host: string;
  /** Its node. */
  nodename: string;
  /** Name of the rejecting step (see StageReport.name). */
  rejected_by: string;
  /** Why, in the filter's words. */
  reason: string;
}

/** How one weigher scored one host. */
export interface WeigherScore {
  /** After the minval/maxval clamp. */
  raw: number;
  /** The host's value normalized to [0, 1] across the hosts weighed. */
  normalized: number;
  /** The weigher's multiplier for this host. */
  multiplier: number;
}

/** A surviving host with its total weight and, per weigher, how it was reached. */
export interface WeighedHostReport {
  /** The weighed compute host. */
  host: string;
  /** Its node. */
  nodename: string;
  /** Its total weight (the sum of normalized value times multiplier). */
  weight: number;
  /** Each weigher's part, by weigher name. */
  weighers: Record<string, WeigherScore>;
}

/**
 * Why hosts were kept or rejected for the first instance of a request: hosts in and out per step, each
 * rejected host's first rejecting step and its reason, and (when hosts survived) the weighed ranking.
 */
export interface SchedulingExplanation {
  /** The instance being placed (null for a request without uuids). */
  instance_uuid: string | null;
  /** Hosts known when the request started. */
  hosts_considered: number;
  /** Each filtering step in order, with its counts. */
  stages: StageReport[];
  /** The stage at which no host was left, when that happened (Nova stops there). */
  emptied_by: string | null;
  /** Every rejected host and why. */
  rejected: RejectedHost[];
  /** Survivors in input order. */
  passed: Array<{ host: string; nodename: string }>;
  /** The hosts that passed, best first. */
  weighed: WeighedHostReport[];
}

/** A one-line summary for logs and instance faults. */
export function summarizeExplanation(e: SchedulingExplanation): string {
  const steps = e.stages.map((s) => `${s.name}: ${s.hosts_in} -> ${s.hosts_out}`).join(", ");
  return `${e.hosts_considered} host(s) considered; ${steps}${e.emptied_by ? `; no host left after ${e.emptied_by}` : ""}`;
}
