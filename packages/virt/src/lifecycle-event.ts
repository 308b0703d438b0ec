import { PowerState } from "./power-state.js";

/**
 * What happened to a guest, as Nova's `virt.event` transitions. A driver reports these when a guest changes
 * state, including on its own (a guest that shuts itself down), so the compute manager can sync its records.
 */
export type LifecycleTransition = "started" | "stopped" | "paused" | "resumed" | "suspended";

/** A guest's state changed on the hypervisor. */
export interface LifecycleEvent {
  /** The instance's uuid. */
  readonly uuid: string;
  /** What happened to the guest. */
  readonly transition: LifecycleTransition;
  /** When the driver saw it, in milliseconds since the epoch. */
  readonly timestamp: number;
}

/** Receives lifecycle events; must not throw (errors are caught and dropped by drivers). */
export type LifecycleListener = (event: LifecycleEvent) => void;

const POWER_STATE_AFTER: Record<LifecycleTransition, PowerState> = {
  started: PowerState.RUNNING,
  stopped: PowerState.SHUTDOWN,
  paused: PowerState.PAUSED,
  resumed: PowerState.RUNNING,
  suspended: PowerState.SUSPENDED,
};

/** The power state a guest is expected to be in after a transition (as Nova's handle_lifecycle_event maps it). */
export function powerStateAfter(transition: LifecycleTransition): PowerState {
  return POWER_STATE_AFTER[transition];
}

/** Nova's numeric code for a transition (EVENT_LIFECYCLE_STARTED = 0, ...), for notifications and logs. */
export function lifecycleTransitionCode(transition: LifecycleTransition): number {
  return ["started", "stopped", "paused", "resumed", "suspended"].indexOf(transition);
}
