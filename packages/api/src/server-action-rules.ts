import { SERVER_ACTION_STATES, serverActionName } from "@nova/objects";
import type { ServerAction, ServerRecord } from "./compute-backend.js";
import { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
import { InstanceIsLockedError } from "./errors/instance-is-locked.js";
import { InstanceNotReadyError } from "./errors/instance-not-ready.js";
import type { ServerLifecycleAction } from "./server-lifecycle-backend.js";

/**
 * Throws what Nova's compute API throws when `server` may not take `action` now (locked, no host yet,
 * wrong vm_state or task_state, never launched). Backends call it before changing any state.
 */
export function checkServerAction(
  server: ServerRecord,
  action: ServerAction | { type: "delete" | ServerLifecycleAction },
  options: { isAdmin: boolean },
): void {
  // One table for the API, its backend and the compute: nova/compute/api.py's decorators.
  const rule = SERVER_ACTION_STATES[serverActionName(action)];
  if (server.locked && !options.isAdmin && !rule.ignoresLock) throw new InstanceIsLockedError(server.uuid);
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
