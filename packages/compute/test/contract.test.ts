import { CONDUCTOR_OBJECT_METHODS } from "@nova/rpcapi";
import { PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the compute-to-conductor contract", () => {
  it("everything a compute asks the conductor is in ConductorObjectsAPI's list (CONDUCTOR_OBJECT_METHODS)", async () => {
    h = await startHarness();
    await h.clock.advance(0); // a heartbeat
    const uuid = (await h.bootActive()).uuid!;
    h.driver.injectFailure({ operation: "pause", instanceUuid: uuid });
    await h.computeApi.pauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "pausing" }));
    await h.finished(uuid, "compute_pause_instance");
    h.driver.simulateGuestStop(uuid, PowerState.SHUTDOWN);
    await h.service.manager.settled();
    await h.computeApi.terminateInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "deleting" }));
    await h.finished(uuid, "compute_terminate_instance");
    await h.clock.advance(600_000); // resource tracker and power state sync passes
    await h.service.stop();

    const allowed = {
      object_action: new Set<string>(CONDUCTOR_OBJECT_METHODS.object_action),
      object_class_action_versions: new Set<string>(CONDUCTOR_OBJECT_METHODS.object_class_action_versions),
    };
    const used = new Set(h.conductor.calls.map((c) => `${c.method} ${c.name}`));
    for (const call of h.conductor.calls) expect(allowed[call.method].has(call.name), call.name).toBe(true);
    // The scenario did reach every kind of call (so the check above is not vacuous).
    expect([...used].sort()).toEqual(
      expect.arrayContaining([
        "object_action Instance.save",
        "object_action Instance.destroy",
        "object_action InstanceFault.create",
        "object_action Service.create",
        "object_action Service.save",
        "object_action ComputeNode.create",
        "object_class_action_versions Instance.get_by_uuid",
        "object_class_action_versions InstanceActionEvent.event_start",
        "object_class_action_versions InstanceActionEvent.event_finish_with_failure",
        "object_class_action_versions Service.get_by_host_and_binary",
        "object_class_action_versions ComputeNodeList.get_all_by_host",
        "object_class_action_versions InstanceList.get_by_host",
      ]),
    );
  });
});
