/**
 * Nova's power_state numbers (nova/compute/power_state.py): the index into InstancePowerState.ALL,
 * where 2 and 5 are unused, so the numbers match what libvirt-era databases hold.
 */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;

/** One of Nova's power_state numbers. */
export type PowerStateValue = (typeof PowerState)[keyof typeof PowerState];

/** Every valid power_state number. */
export const POWER_STATES = [0, 1, 3, 4, 6, 7] as const;

/** The name Nova shows for a power_state number ("pending", "running", ...). */
export const POWER_STATE_NAMES: Readonly<Record<PowerStateValue, string>> = {
  0: "pending",
  1: "running",
  3: "paused",
  4: "shutdown",
  6: "crashed",
  7: "suspended",
};

/** Nova's name for a power state number ("running", "shutdown", ...). */
export function powerStateName(state: PowerStateValue): string {
  return POWER_STATE_NAMES[state];
}

/** True when `value` is one of Nova's power state numbers. */
export function isPowerState(value: unknown): value is PowerStateValue {
  return typeof value === "number" && Object.hasOwn(POWER_STATE_NAMES, value);
}
