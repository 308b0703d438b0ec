import type { TaskState } from "../task-state.js";
import type { VmState } from "../vm-state.js";

/** When a resize or cold-migration action may start and what starting it writes (Nova's compute API). */
export interface MoveActionStates {
  /** The compute API method Nova names in InstanceInvalidState. */
  readonly method: string;
  /** vm_states the action accepts. */
  readonly vmStates: readonly VmState[];
  /** task_states the action accepts (none: no task). */
  readonly taskStates: readonly (TaskState | null)[];
  /** The task_state the API saves before it casts; null when it saves none (confirmResize). */
  readonly task: TaskState | null;
  /** The instance action recorded (nova/compute/instance_actions.py). */
  readonly action: string;
  /** The migration status the action looks for (the finished move it confirms or reverts), if any. */
  readonly migrationStatus: string | null;
  /** The status the migration is given as the action starts, if any. */
  readonly newMigrationStatus: string | null;
}

/** The move actions: resize, cold migrate, confirm, revert, live migrate and evacuate. */
export type MoveActionName =
  | "resize"
  | "migrate"
  | "confirmResize"
  | "revertResize"
  | "migrateLive"
  | "evacuate";

/**
 * Nova's state rules of the move actions (nova/compute/api.py resize, confirm_resize, revert_resize with their
 * check_instance_state decorators): resize and migrate need an ACTIVE or STOPPED server with no task and set
 * resize_prep; confirm and revert need a RESIZED server whose move is `finished`.
 */
export const MOVE_ACTION_STATES: Readonly<Record<MoveActionName, MoveActionStates>> = {
  resize: {
    method: "resize",
    vmStates: ["active", "stopped"],
    taskStates: [null],
    task: "resize_prep",
    action: "resize",
    migrationStatus: null,
    newMigrationStatus: null,
  },
  migrate: {
    method: "resize",
    vmStates: ["active", "stopped"],
    taskStates: [null],
    task: "resize_prep",
    action: "migrate",
    migrationStatus: null,
    newMigrationStatus: null,
  },
  confirmResize: {
    method: "confirm_resize",
    vmStates: ["resized"],
    taskStates: [null],
    task: null,
    action: "confirmResize",
    migrationStatus: "finished",
    newMigrationStatus: "confirming",
  },
  revertResize: {
    method: "revert_resize",
    vmStates: ["resized"],
    taskStates: [null],
    task: "resize_reverting",
    action: "revertResize",
    migrationStatus: "finished",
    newMigrationStatus: "reverting",
  },
  // Nova's live_migrate: an ACTIVE or PAUSED server (check_instance_state's default task_state, None).
  migrateLive: {
    method: "live_migration",
    vmStates: ["active", "paused"],
    taskStates: [null],
    task: "migrating",
    action: "live-migration",
    migrationStatus: null,
    newMigrationStatus: null,
  },
  // Nova's evacuate: a server whose host is down, ACTIVE, STOPPED or ERROR, rebuilt elsewhere.
  evacuate: {
    method: "evacuate",
    vmStates: ["active", "stopped", "error"],
    taskStates: [null],
    task: "rebuilding",
    action: "evacuate",
    migrationStatus: null,
    newMigrationStatus: null,
  },
};
