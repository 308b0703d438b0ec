import type { ServerAction, ServerRecord } from "./compute-backend.js";
import { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
import { InstanceIsLockedError } from "./errors/instance-is-locked.js";
import { InstanceNotReadyError } from "./errors/instance-not-ready.js";
import type { TaskState, VmState } from "./instance-states.js";

interface Rule {
  method: string;
  vmStates: readonly VmState[] | null;
  taskStates: readonly (TaskState | null)[] | null;
  needsHost: boolean;
  mustHaveLaunched: boolean;
}

const ALLOW_HARD_REBOOT_TASKS: readonly (TaskState | null)[] = [
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

// nova/compute/api.py: the check_instance_lock / check_instance_host / check_instance_state decorators.
const RULES: Record<string, Rule> = {
  "reboot:SOFT": {
    method: "_soft_reboot",
    vmStates: ["active"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
  },
  "reboot:HARD": {
    method: "_hard_reboot",
    vmStates: ["active", "stopped", "paused", "suspended", "error"],
    taskStates: ALLOW_HARD_REBOOT_TASKS,
    needsHost: false,
    mustHaveLaunched: true,
  },
  stop: {
    method: "stop",
    vmStates: ["active", "error"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
  },
  start: {
    method: "start",
    vmStates: ["stopped"],
    taskStates: [null],
    needsHost: true,
    mustHaveLaunched: true,
  },
  pause: {
    method: "pause",
    vmStates: ["active"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
  },
  unpause: {
    method: "unpause",
    vmStates: ["paused"],
    taskStates: [null],
    needsHost: false,
    mustHaveLaunched: true,
  },
  delete: { method: "delete", vmStates: null, taskStates: null, needsHost: false, mustHaveLaunched: false },
};

/**
 * Throws what Nova's compute API throws when `server` may not take `action` now (locked, no host yet,
 * wrong vm_state or task_state, never launched). Backends call it before changing any state.
 */
export function checkServerAction(
  server: ServerRecord,
  action: ServerAction | { type: "delete" },
  options: { isAdmin: boolean },
): void {
  const rule = RULES[action.type === "reboot" ? `reboot:${action.rebootType}` : action.type]!;
  if (server.locked && !options.isAdmin) throw new InstanceIsLockedError(server.uuid);
  if (rule.needsHost && !server.host) throw new InstanceNotReadyError(server.uuid);
  if (rule.vmStates && !rule.vmStates.includes(server.vmState)) {
    throw new InstanceInvalidStateError(server.uuid, "vm_state", server.vmState, rule.method);
  }
  if (rule.taskStates && !rule.taskStates.includes(server.taskState)) {
    throw new InstanceInvalidStateError(server.uuid, "task_state", server.taskState, rule.method);
  }
  if (rule.mustHaveLaunched && !server.launchedAt) {
    throw new InstanceInvalidStateError(server.uuid, "launched_at", null, rule.method);
  }
}
