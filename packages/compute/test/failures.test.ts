import { PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("actions in the wrong state, and failing actions", () => {
  it("pause of a stopped instance is refused with Nova's InstanceInvalidState: fault recorded, driver untouched", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    const inst = h.apiSets(uuid, { vm_state: "stopped", task_state: "pausing" });
    await h.computeApi.pauseInstance(h.ctx, h.host, inst);
    await h.finished(uuid, "compute_pause_instance");
    expect(h.driver.guests()[0]?.state).toBe(PowerState.RUNNING);
    expect(h.conductor.faults).toHaveLength(1);
    expect(h.conductor.faults[0]).toMatchObject({
      instance_uuid: uuid,
      code: 400,
      host: "cpu-1",
      message: `Instance ${uuid} in vm_state stopped. Cannot pause while the instance is in this state.`,
    });
    const finish = h.conductor.events.find(
      (e) => e.event === "compute_pause_instance" && e.phase === "finish",
    );
    expect(finish?.failure).toContain("Cannot pause");
    // Not this action's task to revert: the row is left as it was.
    expect(h.conductor.instance(uuid)).toMatchObject({ vm_state: "stopped", task_state: "pausing" });
  });

  it("an action whose task_state is not the API's is refused the same way (unpause without unpausing)", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.pauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "pausing" }));
    await h.finished(uuid, "compute_pause_instance");
    await h.computeApi.unpauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "powering-off" }));
    await h.finished(uuid, "compute_unpause_instance");
    expect(h.conductor.faults[0]?.message).toBe(
      `Instance ${uuid} in task_state powering-off. Cannot unpause while the instance is in this state.`,
    );
    expect(h.driver.guests()[0]?.state).toBe(PowerState.PAUSED);
  });

  it("a save that finds another task in place (UnexpectedTaskStateError) is not reverted", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    const inst = h.apiSets(uuid, { task_state: "pausing" });
    // The row moved on (a delete) after the API cast the pause.
    h.apiSets(uuid, { task_state: "deleting" });
    await h.computeApi.pauseInstance(h.ctx, h.host, inst);
    await h.finished(uuid, "compute_pause_instance");
    expect(h.conductor.instance(uuid)?.task_state).toBe("deleting");
    expect(h.conductor.faults[0]?.message).toContain("Conflict updating instance");
  });

  it("a driver failure records a fault with the driver's message and reverts the task state conditionally", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.driver.injectFailure({ operation: "pause", instanceUuid: uuid });
    await h.computeApi.pauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "pausing" }));
    await h.finished(uuid, "compute_pause_instance");
    expect(h.conductor.faults[0]).toMatchObject({
      code: 500,
      message: "Connection to the hypervisor is broken on host: injected pause failure",
    });
    expect(h.conductor.faults[0]?.details).toContain("HypervisorUnavailable");
    const revert = h.conductor.callsOf("Instance.save").at(-1);
    expect(revert?.changes).toEqual(["task_state"]);
    expect(revert?.kwargs).toEqual({ expected_task_state: ["pausing"] });
    expect(h.conductor.instance(uuid)).toMatchObject({ vm_state: "active", task_state: null });
  });

  it("a failed reboot of a guest that is still running only records a fault; the instance stays active", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.driver.injectFailure({ operation: "reboot", instanceUuid: uuid });
    await h.computeApi.rebootInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "rebooting" }), "SOFT");
    await h.finished(uuid, "compute_reboot_instance");
    expect(h.conductor.faults.map((f) => f.message)).toEqual([
      "Failed to reboot instance: injected reboot failure",
    ]);
    expect(h.conductor.instance(uuid)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: 1,
    });
    const finish = h.conductor.events.find(
      (e) => e.event === "compute_reboot_instance" && e.phase === "finish",
    );
    expect(finish?.failure).toBeNull();
  });

  it("a failed reboot that leaves the guest off puts the instance in ERROR and clears the task", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.driver.simulateGuestStop(uuid, PowerState.CRASHED);
    await h.service.manager.settled();
    // The crash was synced: stopped. The operator hard-reboots; the hypervisor fails.
    expect(h.conductor.instance(uuid)?.vm_state).toBe("stopped");
    h.driver.injectFailure({ operation: "reboot", instanceUuid: uuid });
    await h.computeApi.rebootInstance(
      h.ctx,
      h.host,
      h.apiSets(uuid, { task_state: "rebooting_hard" }),
      "HARD",
    );
    await h.finished(uuid, "compute_reboot_instance");
    expect(h.conductor.instance(uuid)).toMatchObject({ vm_state: "error", task_state: null, power_state: 4 });
    expect(h.conductor.faults.at(-1)?.message).toBe("Failed to reboot instance: injected reboot failure");
  });

  it("a failing delete leaves the instance in ERROR with a fault", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.driver.injectFailure({ operation: "destroy", instanceUuid: uuid });
    await h.computeApi.terminateInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "deleting" }));
    await h.finished(uuid, "compute_terminate_instance");
    expect(h.conductor.instance(uuid)).toMatchObject({ vm_state: "error", task_state: null });
    expect(h.conductor.faults[0]?.message).toBe(
      "Connection to the hypervisor is broken on host: injected destroy failure",
    );
  });
});
