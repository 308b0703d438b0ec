import { describe, expect, it } from "vitest";
import { ALLOW_REBOOT_TASK_STATES, SERVER_ACTION_STATES, serverActionName } from "./server-action-states.js";

// Nova: nova/compute/api.py (reboot/_soft_reboot/_hard_reboot, stop, start, pause, unpause, delete) and
// nova/compute/task_states.py ALLOW_REBOOT, nova/compute/vm_states.py ALLOW_SOFT_REBOOT / ALLOW_HARD_REBOOT.
describe("SERVER_ACTION_STATES", () => {
  it("lets a soft reboot start only from ACTIVE with no task, a hard one from more states and tasks", () => {
    expect(SERVER_ACTION_STATES["reboot:SOFT"]).toMatchObject({ vmStates: ["active"], taskStates: [null] });
    expect(SERVER_ACTION_STATES["reboot:HARD"].vmStates).toEqual([
      "active",
      "stopped",
      "paused",
      "suspended",
      "error",
    ]);
    expect(SERVER_ACTION_STATES["reboot:HARD"].taskStates).toBe(ALLOW_REBOOT_TASK_STATES);
    expect(ALLOW_REBOOT_TASK_STATES).toContain("pausing");
    expect(ALLOW_REBOOT_TASK_STATES).not.toContain("reboot_pending_hard");
    expect(SERVER_ACTION_STATES["reboot:HARD"].task).toBe("rebooting_hard");
  });

  it("needs a host to stop or start, accepts any state to delete, and records Nova's action names", () => {
    expect(SERVER_ACTION_STATES.stop).toMatchObject({
      vmStates: ["active", "error"],
      needsHost: true,
      task: "powering-off",
    });
    expect(SERVER_ACTION_STATES.start).toMatchObject({
      vmStates: ["stopped"],
      needsHost: true,
      task: "powering-on",
    });
    expect(SERVER_ACTION_STATES.delete).toMatchObject({
      vmStates: null,
      taskStates: null,
      mustHaveLaunched: false,
    });
    expect(SERVER_ACTION_STATES["reboot:SOFT"].action).toBe("reboot");
  });

  it("checks snapshots and backups by vm_state only (Nova has no check_instance_host on them)", () => {
    for (const name of ["createImage", "createBackup"] as const) {
      expect(SERVER_ACTION_STATES[name]).toMatchObject({ needsHost: false, ignoresLock: true });
      expect(SERVER_ACTION_STATES[name].vmStates).not.toContain("shelved_offloaded");
    }
  });

  it("keys a reboot by its type", () => {
    expect(serverActionName({ type: "reboot", rebootType: "HARD" })).toBe("reboot:HARD");
    expect(serverActionName({ type: "pause" })).toBe("pause");
    expect(() => serverActionName({ type: "migrateLive" })).toThrow(RangeError);
  });
});
