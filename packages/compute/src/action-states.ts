import {
  ALLOW_HARD_REBOOT,
  ALLOW_SOFT_REBOOT,
  type Instance,
  type TaskState,
  type VmState,
} from "@nova/objects";
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
  /** Allowed vm_states; undefined allows any. */
  readonly vmStates?: readonly VmState[];
  /** The task states this action owns: the API's and the compute's own intermediate ones. */
  readonly taskStates: readonly TaskState[];
}

/** The states of each action served. */
export const ACTION_STATES = {
  rebootSoft: { method: "reboot", vmStates: ALLOW_SOFT_REBOOT, taskStates: SOFT_REBOOT_STATES },
  rebootHard: { method: "reboot", vmStates: ALLOW_HARD_REBOOT, taskStates: HARD_REBOOT_STATES },
  stop: { method: "stop", taskStates: ["powering-off"] },
  start: { method: "start", vmStates: ["stopped"], taskStates: ["powering-on"] },
  pause: { method: "pause", vmStates: ["active"], taskStates: ["pausing"] },
  unpause: { method: "unpause", vmStates: ["paused"], taskStates: ["unpausing"] },
  terminate: { method: "delete", taskStates: ["deleting"] },
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
