/**
 * What the conductor and the computes tell about instance work as it happens, for metrics only (never for
 * control flow): a dependency passed to each service, so the services import no metrics library. Every hook
 * is optional, synchronous and must not throw.
 */
export interface InstanceActivityObserver {
  /** A build (or a move) failed on a host and goes to an alternate. */
  rescheduled?(e: { operation: "build" | "move" }): void;
  /** An instance fault is being recorded, for `error` (labelled by its class: a bounded set). */
  faultRecorded?(e: { error: unknown; code: number }): void;
}
