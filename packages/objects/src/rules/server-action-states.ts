import type { TaskState } from "../task-state.js";
import { ALLOW_HARD_REBOOT, ALLOW_SOFT_REBOOT, type VmState } from "../vm-state.js";

/** Nova's task_states.ALLOW_REBOOT: the task states a hard reboot may interrupt (None is no task). */
export const ALLOW_REBOOT_TASK_STATES: readonly (TaskState | null)[] = [
  null,
  "rebooting",
  "reboot_pending",
  "reboot_started",
  "resuming",
  "rebooting_hard",
  "unpausing",
  "pausing",
  "suspending",
];

/** When a server action may start, and what starting it writes (one row of the table below). */
export interface ServerActionStates {
  /** The compute API method Nova names in InstanceInvalidState ("Cannot %(method)s ..."). */
  readonly method: string;
  /** vm_states the action accepts; null accepts any. */
  readonly vmStates: readonly VmState[] | null;
  /** task_states the action accepts (and expects when it saves its own); null accepts any. */
  readonly taskStates: readonly (TaskState | null)[] | null;
  /** check_instance_host: the instance must be on a host. */
  readonly needsHost: boolean;
  /** check_instance_state's must_have_launched: the guest must have launched once. */
  readonly mustHaveLaunched: boolean;
  /** The task_state the API sets before it casts to the compute. */
  readonly task: TaskState;
  /** The instance action recorded (nova/compute/instance_actions.py). */
  readonly action: string;
  /** Nova checks no lock for it (createImage, createBackup: a lock guards against change, not copies). */
  readonly ignoresLock?: boolean;
}

/** The server actions with a state rule: reboot (by type), the power actions, delete, and the lifecycle actions. */
export type ServerActionName =
  | "reboot:SOFT"
  | "reboot:HARD"
  | "stop"
  | "start"
  | "pause"
  | "unpause"
  | "suspend"
  | "resume"
  | "delete"
  // Rebuild, shelve, rescue, snapshots and soft delete (nova/compute/api.py).
  | "rebuild"
  | "shelve"
  | "shelveOffload"
  | "unshelve"
  | "rescue"
  | "unrescue"
  | "createImage"
  | "createBackup"
  | "restore"
  | "forceDelete"
  | "softDelete";

/**
 * Nova's state rules for server actions (nova/compute/api.py: the check_instance_lock, check_instance_host
 * and check_instance_state decorators, and the task_state each method saves), read by the API's checks, the
 * API backend's conditional saves and the compute's re-check.
 */
export const SERVER_ACTION_STATES: Readonly<Record<ServerActionName, ServerActionStates>> = {
  "reboot:SOFT": {
    method: "_soft_reboot",
    vmStates: ALLOW_SOFT_REBOOT,
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "rebooting",
    action: "reboot",
  },
  "reboot:HARD": {
    method: "_hard_reboot",
    vmStates: ALLOW_HARD_REBOOT,
    taskStates: ALLOW_REBOOT_TASK_STATES,
    needsHost: false,
    mustHaveLaunched: true,
    task: "rebooting_hard",
    action: "reboot",
  },
  stop: {
    method: "stop",
    vmStates: ["active", "error"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "powering-off",
    action: "stop",
  },
  start: {
    method: "start",
    vmStates: ["stopped"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "powering-on",
    action: "start",
  },
  pause: {
    method: "pause",
    vmStates: ["active"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "pausing",
    action: "pause",
  },
  unpause: {
    method: "unpause",
    vmStates: ["paused"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "unpausing",
    action: "unpause",
  },
  suspend: {
    method: "suspend",
    vmStates: ["active"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "suspending",
    action: "suspend",
  },
  resume: {
    method: "resume",
    vmStates: ["suspended"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "resuming",
    action: "resume",
  },
  delete: {
    method: "delete",
    vmStates: null,
    taskStates: null,
    needsHost: false,
    mustHaveLaunched: false,
    task: "deleting",
    action: "delete",
  },
  // Rebuild, shelve, rescue, snapshots and soft delete.
  rebuild: {
    method: "rebuild",
    vmStates: ["active", "stopped", "error"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "rebuilding",
    action: "rebuild",
  },
  shelve: {
    method: "shelve",
    vmStates: ["active", "stopped", "paused", "suspended"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "shelving",
    action: "shelve",
  },
  shelveOffload: {
    method: "shelve_offload",
    vmStates: ["shelved"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "shelving_offloading",
    action: "shelveOffload",
  },
  unshelve: {
    method: "unshelve",
    vmStates: ["shelved", "shelved_offloaded"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "unshelving",
    action: "unshelve",
  },
  rescue: {
    method: "rescue",
    vmStates: ["active", "stopped", "error"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "rescuing",
    action: "rescue",
  },
  unrescue: {
    method: "unrescue",
    vmStates: ["rescued"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
    task: "unrescuing",
    action: "unrescue",
  },
  createImage: {
    method: "snapshot",
    vmStates: ["active", "stopped", "paused", "suspended"],
    taskStates: [null],
    // No check_instance_host: a shelved-offloaded server is refused for its vm_state, not as not ready.
    needsHost: false,
    mustHaveLaunched: true,
    task: "image_snapshot_pending",
    action: "createImage",
    ignoresLock: true,
  },
  createBackup: {
    method: "backup",
    vmStates: ["active", "stopped", "paused", "suspended"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "image_backup",
    action: "createBackup",
    ignoresLock: true,
  },
  restore: {
    method: "restore",
    vmStates: ["soft-delete"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
    task: "restoring",
    action: "restore",
  },
  // Nova's force_delete and soft_delete check no vm_state or task_state (check_instance_state's None).
  forceDelete: {
    method: "force_delete",
    vmStates: null,
    taskStates: null,
    needsHost: false,
    mustHaveLaunched: false,
    task: "deleting",
    action: "delete",
  },
  softDelete: {
    method: "soft_delete",
    vmStates: null,
    taskStates: null,
    needsHost: false,
    mustHaveLaunched: true,
    task: "soft-deleting",
    action: "delete",
  },
};

/** The table's key for an action (`reboot` splits by type, as Nova's reboot picks _soft_reboot or _hard_reboot). */
export function serverActionName(action: { type: string; rebootType?: "SOFT" | "HARD" }): ServerActionName {
  const name = action.type === "reboot" ? `reboot:${action.rebootType ?? "SOFT"}` : action.type;
  if (!Object.hasOwn(SERVER_ACTION_STATES, name))
    throw new RangeError(`no state rule for server action ${name}`);
  return name as ServerActionName;
}
