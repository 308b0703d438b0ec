import { errorLabel, type NovaMetrics } from "./nova-metrics.js";

/**
 * Structurally @nova/objects' `InstanceActivityObserver` (telemetry needs no spec package): reschedules and
 * faults as the conductor and the computes record them.
 */
export interface InstanceActivityTelemetry {
  /** A build or move went to an alternate host. */
  rescheduled(e: { operation: "build" | "move" }): void;
  /** A fault is recorded for `error`. */
  faultRecorded(e: { error: unknown; code: number }): void;
}

/** Counts reschedules by operation and faults by the error's class and code. */
export function createInstanceActivityObserver(metrics: NovaMetrics): InstanceActivityTelemetry {
  return {
    rescheduled: ({ operation }) => metrics.instanceReschedules.inc({ operation }),
    faultRecorded: ({ error, code }) =>
      metrics.instanceFaults.inc({ error: errorLabel(error), code: String(code) }),
  };
}

/** Structurally @nova/servicegroup's `LivenessObserver`. */
export interface LivenessTelemetry {
  /** A service was recorded down, or up again. */
  transition(service: { host: string; binary: string }, state: "up" | "down"): void;
}

/** Counts up/down transitions by binary and host (hosts are bounded by the deployment). */
export function createLivenessObserver(metrics: NovaMetrics): LivenessTelemetry {
  return {
    transition: (s, state) =>
      metrics.serviceLivenessTransitions.inc({ binary: s.binary, host: s.host, state }),
  };
}

/** Structurally @nova/db's `DatabaseObserver`. */
export interface DatabaseTelemetry {
  /** A repository method settled. */
  repositoryCall(call: { repository: string; method: string; seconds: number; error?: unknown }): void;
  /** MariaDB pool connections in use changed. */
  poolConnectionsInUse(inUse: number): void;
  /** An instance action event finished. */
  instanceEventFinished(e: {
    action: string;
    event: string;
    result: "Success" | "Error";
    stageSeconds: number;
    elapsedSeconds: number;
  }): void;
}

/**
 * The observer of one database (`database`: `api`, `cell`, `cell0`): query time per `repository.method`,
 * pool use, and the instance action stages recorded in it (a cell's events are the builds' stages). `cell`
 * (a cell mapping's name) labels nova-api's pool of each cell apart from the databases its nova.conf names.
 */
export function createDatabaseObserver(
  metrics: NovaMetrics,
  database: string,
  cell?: string,
): DatabaseTelemetry {
  const inCell = cell === undefined ? {} : { cell };
  return {
    repositoryCall({ repository, method, seconds, error }) {
      const name = `${repository}.${method}`;
      metrics.dbQueryDuration.observe({ method: name, ...inCell }, seconds);
      if (error !== undefined)
        metrics.dbQueryErrors.inc({ method: name, error: errorLabel(error), ...inCell });
    },
    poolConnectionsInUse: (inUse) => metrics.dbPoolConnectionsInUse.set({ database, ...inCell }, inUse),
    instanceEventFinished({ action, event, result, stageSeconds, elapsedSeconds }) {
      const labels = { action, event, result };
      metrics.instanceActionStageDuration.observe(labels, stageSeconds);
      metrics.instanceActionDuration.observe(labels, elapsedSeconds);
    },
  };
}
