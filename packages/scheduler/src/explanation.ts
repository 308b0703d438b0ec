/** One step of the pipeline: a pre-filter step (placement fit, ignore_hosts, ...) or a filter. */
export interface StageReport {
  /** Filter name, or `Placement`, `RequestedDestination`, `IgnoreHosts`, `ForceHosts`, `ForceNodes`, `Cell`. */
  name: string;
  hosts_in: number;
  hosts_out: number;
}

/** A host removed from consideration, by the first step that rejected it. */
export interface RejectedHost {
  host: string;
  nodename: string;
  /** Name of the rejecting step (see StageReport.name). */
  rejected_by: string;
  reason: string;
}

/** How one weigher scored one host. */
export interface WeigherScore {
  /** After the minval/maxval clamp. */
  raw: number;
  normalized: number;
  multiplier: number;
}

/** A surviving host with its total weight and, per weigher, how it was reached. */
export interface WeighedHostReport {
  host: string;
  nodename: string;
  weight: number;
  weighers: Record<string, WeigherScore>;
}

/**
 * Why hosts were kept or rejected for the first instance of a request: hosts in and out per step, each
 * rejected host's first rejecting step and its reason, and (when hosts survived) the weighed ranking.
 */
export interface SchedulingExplanation {
  instance_uuid: string | null;
  hosts_considered: number;
  stages: StageReport[];
  /** The stage at which no host was left, when that happened (Nova stops there). */
  emptied_by: string | null;
  rejected: RejectedHost[];
  /** Survivors in input order. */
  passed: Array<{ host: string; nodename: string }>;
  weighed: WeighedHostReport[];
}

/** A one-line summary for logs and instance faults. */
export function summarizeExplanation(e: SchedulingExplanation): string {
  const steps = e.stages.map((s) => `${s.name}: ${s.hosts_in} -> ${s.hosts_out}`).join(", ");
  return `${e.hosts_considered} host(s) considered; ${steps}${e.emptied_by ? `; no host left after ${e.emptied_by}` : ""}`;
}
