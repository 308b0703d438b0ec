import type { ServiceKey } from "./service-record.js";

/**
 * Told when the conductor records a service's liveness flipping (for metrics): down by the periodic check,
 * up again by the first report after that. Never awaited, never allowed to fail the recording.
 */
export interface LivenessObserver {
  /** `service` was recorded `state`. */
  transition(service: Pick<ServiceKey, "host" | "binary">, state: "up" | "down"): void;
}
