import { type Instance, SERVER_ACTION_STATES, type TaskState, type VmState } from "@nova/objects";
import { InstanceInvalidState } from "@nova/rpcapi";

/** Nova's soft and hard reboot task states (nova/compute/task_states.py). */
export const SOFT_REBOOT_STATES: readonly TaskState[] = ["rebooting", "reboot_pending", "reboot_started"];
/** Nova's hard reboot task states. */
export const HARD_REBOOT_STATES: readonly TaskState[] = [
  "rebooting_hard",
  "reboot_pending_hard",
  "reboot_started_hard",
];

/**
 * Which instances an action accepts, as the API left them when it cast the action: the vm_states the API
 * allows (Nova's check_instance_state) and the task_state(s) the API set. The compute checks again so a stale
 * or repeated cast never reaches the hypervisor; every save after that is conditional anyway.
 */
export interface ActionStates {
  /** The RPC method the rule is for. */
  readonly method: string;
  /** Allowed vm_states; undefined or null allows any. */
  readonly vmStates?: readonly VmState[] | null;
  /** The task states this action owns: the API's and the compute's own intermediate ones. */
  readonly taskStates: readonly TaskState[];
}

// The API's rules (one table in @nova/objects): the vm_states each action accepts and the task_state it sets.
const api = SERVER_ACTION_STATES;

/** The states of each action served. */
export const ACTION_STATES = {
  rebootSoft: { method: "reboot", vmStates: api["reboot:SOFT"].vmStates, taskStates: SOFT_REBOOT_STATES },
  rebootHard: { method: "reboot", vmStates: api["reboot:HARD"].vmStates, taskStates: HARD_REBOOT_STATES },
  // As Nova's compute manager, stop re-checks only its task_state.
  stop: { method: "stop", taskStates: [api.stop.task] },
  // The conductor's unshelve of a SHELVED instance is a start (Nova's conductor casts start_instance).
  start: {
    method: "start",
    vmStates: [...(api.start.vmStates ?? []), "shelved"],
    taskStates: [api.start.task],
  },
  pause: { method: "pause", vmStates: api.pause.vmStates, taskStates: [api.pause.task] },
  unpause: { method: "unpause", vmStates: api.unpause.vmStates, taskStates: [api.unpause.task] },
  suspend: { method: "suspend", vmStates: api.suspend.vmStates, taskStates: [api.suspend.task] },
  resume: { method: "resume", vmStates: api.resume.vmStates, taskStates: [api.resume.task] },
  terminate: { method: "delete", taskStates: [api.delete.task] },
  // Rebuild, shelve, rescue, snapshots, soft delete: the API's task and the compute's own steps after it.
  rebuild: {
    method: "rebuild_instance",
    taskStates: ["rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"],
  },
  shelve: {
    method: "shelve_instance",
    taskStates: ["shelving", "shelving_image_pending_upload", "shelving_image_uploading"],
  },
  shelveOffload: { method: "shelve_offload_instance", taskStates: ["shelving_offloading"] },
  unshelve: { method: "unshelve_instance", taskStates: ["unshelving", "spawning"] },
  rescue: { method: "rescue_instance", taskStates: ["rescuing"] },
  unrescue: { method: "unrescue_instance", vmStates: ["rescued"], taskStates: ["unrescuing"] },
  snapshot: {
    method: "snapshot_instance",
    taskStates: ["image_snapshot_pending", "image_snapshot", "image_pending_upload", "image_uploading"],
  },
  backup: {
    method: "backup_instance",
    taskStates: ["image_backup", "image_pending_upload", "image_uploading"],
  },
  softDelete: { method: "soft_delete_instance", taskStates: ["soft-deleting"] },
  restore: { method: "restore_instance", vmStates: ["soft-delete"], taskStates: ["restoring"] },
} as const satisfies Record<string, ActionStates>;

/** Throws Nova's InstanceInvalidState when the instance is not in a state the action accepts. */
export function checkActionState(instance: Partial<Instance>, states: ActionStates): void {
  const uuid = instance.uuid ?? "";
  const vm = instance.vm_state ?? null;
  if (states.vmStates && (vm === null || !states.vmStates.includes(vm))) {
    throw new InstanceInvalidState({
      instance_uuid: uuid,
      attr: "vm_state",
      state: vm,
      method: states.method,
    });
  }
  const task = instance.task_state ?? null;
  if (task === null || !states.taskStates.includes(task)) {
    throw new InstanceInvalidState({
      instance_uuid: uuid,
      attr: "task_state",
      state: task,
      method: states.method,
    });
  }
}
