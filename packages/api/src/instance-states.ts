import type { ServerStatus } from "@nova/client";
import { PowerState, TASK_STATES, type TaskState, VM_STATES, type VmState } from "@nova/objects";

// Nova's state lists live in @nova/objects; they are re-exported here as part of the API's surface.
export { TASK_STATES, type TaskState, VM_STATES, type VmState };

/** power_state numbers by name, as Nova's: the same table @nova/objects keeps. */
export const POWER_STATE = PowerState;

const REBOOT: Partial<Record<TaskState, ServerStatus>> = {
  rebooting: "REBOOT",
  reboot_pending: "REBOOT",
  reboot_started: "REBOOT",
  rebooting_hard: "HARD_REBOOT",
  reboot_pending_hard: "HARD_REBOOT",
  reboot_started_hard: "HARD_REBOOT",
};
const REBUILD: Partial<Record<TaskState, ServerStatus>> = {
  rebuilding: "REBUILD",
  rebuild_block_device_mapping: "REBUILD",
  rebuild_spawning: "REBUILD",
};
const RESIZE: Partial<Record<TaskState, ServerStatus>> = {
  resize_prep: "RESIZE",
  resize_migrating: "RESIZE",
  resize_migrated: "RESIZE",
  resize_finish: "RESIZE",
};

// nova/api/openstack/common.py _STATE_MAP: the status for a vm_state, refined by some task_states.
const STATE_MAP: Record<VmState, { default: ServerStatus } & Partial<Record<TaskState, ServerStatus>>> = {
  active: {
    default: "ACTIVE",
    ...REBOOT,
    updating_password: "PASSWORD",
    ...REBUILD,
    migrating: "MIGRATING",
    ...RESIZE,
  },
  building: { default: "BUILD" },
  stopped: { default: "SHUTOFF", ...RESIZE, ...REBUILD },
  resized: { default: "VERIFY_RESIZE", resize_reverting: "REVERT_RESIZE" },
  paused: { default: "PAUSED", migrating: "MIGRATING" },
  suspended: { default: "SUSPENDED" },
  rescued: { default: "RESCUE" },
  error: { default: "ERROR", ...REBUILD },
  deleted: { default: "DELETED" },
  "soft-delete": { default: "SOFT_DELETED" },
  shelved: { default: "SHELVED" },
  shelved_offloaded: { default: "SHELVED_OFFLOADED" },
};

/** The API status of an instance, as Nova's `status_from_state` computes it. */
export function statusFromState(vmState: string, taskState: string | null): ServerStatus {
  const map = STATE_MAP[vmState as VmState] as Record<string, ServerStatus> | undefined;
  if (!map) return "UNKNOWN";
  return (taskState !== null ? map[taskState] : undefined) ?? map.default!;
}

/**
 * The vm_states and task_states whose status is one of `statuses` (Nova's `task_and_vm_state_from_status`);
 * `taskStates` contains "default" when a plain vm_state match is included, so callers must not filter
 * on task_state then.
 */
export function statesFromStatus(statuses: readonly string[]): { vmStates: VmState[]; taskStates: string[] } {
  const wanted = new Set(statuses.map((s) => s.toLowerCase()));
  const vmStates = new Set<VmState>();
  const taskStates = new Set<string>();
  for (const [vmState, map] of Object.entries(STATE_MAP)) {
    for (const [taskState, status] of Object.entries(map)) {
      if (wanted.has(status.toLowerCase())) {
        vmStates.add(vmState as VmState);
        taskStates.add(taskState);
      }
    }
  }
  return { vmStates: [...vmStates].sort(), taskStates: [...taskStates].sort() };
}
