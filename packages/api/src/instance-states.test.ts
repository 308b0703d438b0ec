import { describe, expect, it } from "vitest";
import { statesFromStatus, statusFromState } from "./instance-states.js";

describe("statusFromState (Nova's common.py _STATE_MAP)", () => {
  it.each([
    ["active", null, "ACTIVE"],
    ["active", "rebooting", "REBOOT"],
    ["active", "reboot_started", "REBOOT"],
    ["active", "rebooting_hard", "HARD_REBOOT"],
    ["active", "reboot_pending_hard", "HARD_REBOOT"],
    ["active", "powering-off", "ACTIVE"],
    ["active", "pausing", "ACTIVE"],
    ["active", "migrating", "MIGRATING"],
    ["active", "resize_prep", "RESIZE"],
    ["active", "rebuild_spawning", "REBUILD"],
    ["active", "updating_password", "PASSWORD"],
    ["building", "scheduling", "BUILD"],
    ["building", "spawning", "BUILD"],
    ["stopped", null, "SHUTOFF"],
    ["stopped", "powering-on", "SHUTOFF"],
    ["stopped", "rebuilding", "REBUILD"],
    ["paused", null, "PAUSED"],
    ["paused", "migrating", "MIGRATING"],
    ["suspended", null, "SUSPENDED"],
    ["rescued", null, "RESCUE"],
    ["resized", null, "VERIFY_RESIZE"],
    ["resized", "resize_reverting", "REVERT_RESIZE"],
    ["error", null, "ERROR"],
    ["error", "rebuilding", "REBUILD"],
    ["error", "deleting", "ERROR"],
    ["deleted", null, "DELETED"],
    ["soft-delete", null, "SOFT_DELETED"],
    ["shelved", null, "SHELVED"],
    ["shelved_offloaded", null, "SHELVED_OFFLOADED"],
    ["bogus", null, "UNKNOWN"],
  ] as const)("%s / %s -> %s", (vm, task, status) => {
    expect(statusFromState(vm, task)).toBe(status);
  });
});

describe("statesFromStatus (Nova's task_and_vm_state_from_status)", () => {
  it("maps a plain status to its vm_states with the default task marker", () => {
    expect(statesFromStatus(["SHUTOFF"])).toEqual({ vmStates: ["stopped"], taskStates: ["default"] });
  });
  it("maps task-derived statuses to both vm_state and task_state sets", () => {
    expect(statesFromStatus(["reboot"])).toEqual({
      vmStates: ["active"],
      taskStates: ["reboot_pending", "reboot_started", "rebooting"],
    });
    const rebuild = statesFromStatus(["REBUILD"]);
    expect(rebuild.vmStates).toEqual(["active", "error", "stopped"]);
    expect(rebuild.taskStates).toEqual(["rebuild_block_device_mapping", "rebuild_spawning", "rebuilding"]);
  });
  it("finds nothing for an unknown status", () => {
    expect(statesFromStatus(["NOPE"])).toEqual({ vmStates: [], taskStates: [] });
  });
});
