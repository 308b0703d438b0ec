/** Nova's vm_states: the stable state an instance is in (nova/compute/vm_states.py). */
export const VM_STATES = [
  "active",
  "building",
  "paused",
  "suspended",
  "stopped",
  "rescued",
  "resized",
  "soft-delete",
  "deleted",
  "error",
  "shelved",
  "shelved_offloaded",
] as const;

/** One of Nova's vm_states. */
export type VmState = (typeof VM_STATES)[number];

/** Named vm_states, as Nova's constants. */
export const VmStates = {
  ACTIVE: "active",
  BUILDING: "building",
  PAUSED: "paused",
  SUSPENDED: "suspended",
  STOPPED: "stopped",
  RESCUED: "rescued",
  RESIZED: "resized",
  SOFT_DELETED: "soft-delete",
  DELETED: "deleted",
  ERROR: "error",
  SHELVED: "shelved",
  SHELVED_OFFLOADED: "shelved_offloaded",
} as const satisfies Record<string, VmState>;

/** vm_states from which a soft reboot is allowed. */
export const ALLOW_SOFT_REBOOT: readonly VmState[] = ["active"];
/** vm_states from which a hard reboot is allowed. */
export const ALLOW_HARD_REBOOT: readonly VmState[] = ["active", "stopped", "paused", "suspended", "error"];

/** True when resources of an instance in this state may be freed (Nova's allow_resource_removal). */
export function allowResourceRemoval(vmState: VmState, taskState: string | null = null): boolean {
  return vmState === "deleted" || (vmState === "shelved_offloaded" && taskState !== "spawning");
}
