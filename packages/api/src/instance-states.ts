import type { ServerStatus } from "@nova/client";

/** Nova's instance vm_state values. */
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
/** An instance vm_state. */
export type VmState = (typeof VM_STATES)[number];

/** Nova's instance task_state values (null when no task runs). */
export const TASK_STATES = [
  "scheduling",
  "block_device_mapping",
  "networking",
  "spawning",
  "image_snapshot",
  "image_snapshot_pending",
  "image_pending_upload",
  "image_uploading",
  "image_backup",
  "updating_password",
  "resize_prep",
  "resize_migrating",
  "resize_migrated",
  "resize_finish",
  "resize_reverting",
  "resize_confirming",
  "rebooting",
  "reboot_pending",
  "reboot_started",
  "rebooting_hard",
  "reboot_pending_hard",
  "reboot_started_hard",
  "pausing",
  "unpausing",
  "suspending",
  "resuming",
  "powering-off",
  "powering-on",
  "rescuing",
  "unrescuing",
  "rebuilding",
  "rebuild_block_device_mapping",
  "rebuild_spawning",
  "migrating",
  "deleting",
  "soft-deleting",
  "restoring",
  "shelving",
  "shelving_image_pending_upload",
  "shelving_image_uploading",
  "shelving_offloading",
  "unshelving",
] as const;
/** An instance task_state. */
export type TaskState = (typeof TASK_STATES)[number];

/** Nova's power_state values (nova/compute/power_state.py). */
export const POWER_STATE = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;

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
