import type { ServiceKey, ServiceRecord } from "./service-record.js";

/** One report as the conductor receives it: Nova's Service.save with a bumped report_count. */
export interface HeartbeatReport {
  /** The reporting service's host. */
  host: string;
  /** The reporting service's binary. */
  binary: string;
  /** The service's report count including this report. */
  reportCount: number;
}

/** What recording one report did. */
export type HeartbeatOutcome =
  | { status: "recorded"; lastSeenUp: number; updatedAt: number; wasDown: boolean }
  | { status: "not_found" };

/** A service row with the liveness the conductor last recorded for it. */
export interface RecordedService extends ServiceRecord {
  /** True after the conductor's periodic check recorded the service down, until its next report. */
  recordedDown: boolean;
}

/**
 * The storage behind the heartbeats, as the conductor sees it. The db driver implements it on the cell
 * database; a memcached or Redis driver would implement it on its store. Implementations must make
 * {@link markDown} conditional so that a heartbeat landing during the check wins.
 */
export interface HeartbeatStore {
  /** Records many reports at one instant `at` (ms), in as few writes as the backend allows. */
  recordHeartbeats(reports: readonly HeartbeatReport[], at: number): Promise<HeartbeatOutcome[]>;
  /** Records as down every service not forced down, recorded up, and last seen before `cutoff`; returns them. */
  markDown(cutoff: number, at: number): Promise<RecordedService[]>;
  /** Services, optionally of one topic or binary. */
  listServices(filter?: { topic?: string; binary?: string }): Promise<RecordedService[]>;
  /** Creates the row for a service that starts for the first time (no-op when it exists). */
  ensureService(key: ServiceKey, at: number): Promise<RecordedService>;
}
