/**
 * Nova's power states: what the hypervisor says a guest is doing. The numbers are Nova's own
 * (`nova.compute.power_state`), stored in `instances.power_state` and sent over RPC, so they must not change.
 */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;

/** One of Nova's power state numbers. */
export type PowerState = (typeof PowerState)[keyof typeof PowerState];

// Nova's names for the numbers (InstancePowerState): what the API shows and logs print.
const NAMES: Record<PowerState, string> = {
  0: "pending",
  1: "running",
  3: "paused",
  4: "shutdown",
  6: "crashed",
  7: "suspended",
};

/** Nova's name for a power state number ("running", "shutdown", ...). */
export function powerStateName(state: PowerState): string {
  return NAMES[state];
}

/** True when `value` is one of Nova's power state numbers. */
export function isPowerState(value: unknown): value is PowerState {
  return typeof value === "number" && Object.hasOwn(NAMES, value);
}
