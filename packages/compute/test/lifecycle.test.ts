import { PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("lifecycle events sync the database (handle_lifecycle_event / _sync_instance_power_state)", () => {
  it("a guest that shuts itself down is recorded SHUTDOWN and then stopped, conditionally", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    const before = h.conductor.callsOf("Instance.save").length;
    h.driver.simulateGuestStop(uuid, PowerState.SHUTDOWN);
    await h.service.manager.settled();
    expect(h.conductor.instance(uuid)).toMatchObject({
      vm_state: "stopped",
      task_state: null,
      power_state: 4,
    });
    const syncSaves = h.conductor
      .callsOf("Instance.save")
      .slice(before)
      .map((c) => ({ changes: c.changes, kwargs: c.kwargs }));
    expect(syncSaves).toEqual([
      { changes: ["power_state"], kwargs: { expected_task_state: [null], expected_vm_state: ["active"] } },
      { changes: ["task_state"], kwargs: { expected_task_state: [null], expected_vm_state: ["active"] } },
      // The guest was already off, so (as Nova's stop) no task is accepted too.
      {
        changes: ["power_state", "vm_state", "task_state"],
        kwargs: { expected_task_state: ["powering-off", null] },
      },
    ]);
    // The sync re-read the row first, as an admin that also sees deleted rows.
    expect(h.conductor.callsOf("Instance.get_by_uuid").at(-1)?.args).toEqual([uuid]);
  });

  it("an instance with a task under way is left to its task", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.apiSets(uuid, { task_state: "rebooting" });
    const before = h.conductor.callsOf("Instance.save").length;
    h.driver.simulateGuestStop(uuid, PowerState.SHUTDOWN);
    await h.service.manager.settled();
    expect(h.conductor.callsOf("Instance.save")).toHaveLength(before);
    expect(h.conductor.instance(uuid)).toMatchObject({ vm_state: "active", power_state: 1 });
  });

  it("an instance recorded on another host is not touched", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    h.apiSets(uuid, { host: "cpu-2" });
    const before = h.conductor.callsOf("Instance.save").length;
    h.driver.simulateGuestStop(uuid, PowerState.SHUTDOWN);
    await h.service.manager.settled();
    expect(h.conductor.callsOf("Instance.save")).toHaveLength(before);
  });

  it("a stale event (the guest already back in another state) is ignored", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    const before = h.conductor.callsOf("Instance.save").length;
    // The event says paused; by the time it is judged the guest runs again.
    await h.driver.pause({
      uuid,
      name: h.service.manager.ref({ uuid, id: h.conductor.instance(uuid)!.id }).name,
    });
    await h.driver.unpause({ uuid, name: "" });
    await h.service.manager.settled();
    expect(h.conductor.callsOf("Instance.save")).toHaveLength(before);
  });

  it("a stopped instance whose guest runs again is powered off (Nova's force_stop)", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.stopInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "powering-off" }), true);
    await h.finished(uuid, "compute_stop_instance");
    const ref = h.service.manager.ref(h.conductor.instance(uuid)!);
    await h.driver.powerOn(ref); // started behind Nova's back
    await h.service.manager.settled();
    expect(h.driver.guests()[0]?.state).toBe(PowerState.SHUTDOWN);
    expect(h.conductor.instance(uuid)).toMatchObject({
      vm_state: "stopped",
      task_state: null,
      power_state: 4,
    });
  });
});
