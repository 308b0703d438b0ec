import type { ServerRecord } from "./compute-backend.js";
import { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
import { InstanceIsLockedError } from "./errors/instance-is-locked.js";
import type { VmState } from "./instance-states.js";

/** Nova's server tags API and metadata methods accept these vm_states only (ACTIVE, PAUSED, SUSPENDED, STOPPED). */
export const SERVER_CHANGE_VM_STATES: readonly VmState[] = ["active", "paused", "suspended", "stopped"];

/** The most tags a server may have (nova.objects.instance.MAX_TAG_COUNT). */
export const MAX_SERVER_TAGS = 50;

/**
 * Throws what Nova's update_instance_metadata / delete_instance_metadata throw: locked for a non-admin
 * (check_instance_lock), or not ACTIVE/PAUSED/SUSPENDED/STOPPED with no task (check_instance_state).
 */
export function checkMetadataChange(
  server: ServerRecord,
  method: "update_instance_metadata" | "delete_instance_metadata",
  options: { isAdmin: boolean },
): void {
  if (server.locked && !options.isAdmin) throw new InstanceIsLockedError(server.uuid);
  if (!SERVER_CHANGE_VM_STATES.includes(server.vmState)) {
    throw new InstanceInvalidStateError(server.uuid, "vm_state", server.vmState, method);
  }
  if (server.taskState !== null) {
    throw new InstanceInvalidStateError(server.uuid, "task_state", server.taskState, method);
  }
}

/** Nova's four tag filters of a server list (`tags`, `tags-any`, `not-tags`, `not-tags-any`) on one server's tags. */
export function matchesTagFilters(
  tags: readonly string[],
  query: { tags?: string[]; tagsAny?: string[]; notTags?: string[]; notTagsAny?: string[] },
): boolean {
  const has = (t: string) => tags.includes(t);
  if (query.tags?.length && !query.tags.every(has)) return false;
  if (query.tagsAny?.length && !query.tagsAny.some(has)) return false;
  if (query.notTags?.length && query.notTags.every(has)) return false;
  if (query.notTagsAny?.length && query.notTagsAny.some(has)) return false;
  return true;
}

/** Who a lock by this caller is recorded as: Nova's `locked_by` (`owner` for the owning project). */
export function lockedByFor(server: ServerRecord, projectId: string): "owner" | "admin" {
  return server.projectId === projectId ? "owner" : "admin";
}

/**
 * Nova's is_expected_locked_by: false when the server was locked by the other kind of caller (an admin's
 * lock seen by the owner), which then needs `os-lock-server:unlock:unlock_override` to unlock.
 */
export function isExpectedLockedBy(server: ServerRecord, projectId: string): boolean {
  return !server.lockedBy || server.lockedBy === lockedByFor(server, projectId);
}
