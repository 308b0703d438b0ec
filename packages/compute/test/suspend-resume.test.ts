import type { Instance } from "@nova/objects";
import { FakeDriver, type InstanceRef, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { toDriverInstance } from "../src/driver-mapping.js";
import { novaInstance } from "../src/test/index.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function state(harness: Harness, uuid: string): Pick<Instance, "vm_state" | "task_state" | "power_state"> {
  const row = harness.conductor.instance(uuid)!;
  return {
    vm_state: row.vm_state!,
    task_state: row.task_state ?? null,
    power_state: row.power_state ?? null,
  };
}

/** A fake host whose suspend fails (a hypervisor refusing the managed save). */
class FailingSuspendDriver extends FakeDriver {
  override suspend(_instance: InstanceRef): Promise<void> {
    return Promise.reject(new Error("managed save refused"));
  }
}

describe("suspend and resume on the compute", () => {
  it("suspend: suspending -> suspended/SUSPENDED keeping old_vm_state; resume: resuming -> active/RUNNING", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.suspendInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "suspending" }));
    await h.finished(uuid, "compute_suspend_instance");
    expect(state(h, uuid)).toEqual({
      vm_state: "suspended",
      task_state: null,
      power_state: PowerState.SUSPENDED,
    });
    const suspendSave = h.conductor
      .callsOf("Instance.save")
      .filter((c) => c.data.uuid === uuid)
      .at(-1)!;
    expect(suspendSave.kwargs.expected_task_state).toEqual(["suspending"]);
    expect(h.conductor.instance(uuid)!.system_metadata?.old_vm_state).toBe("active");

    await h.computeApi.resumeInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "resuming" }));
    await h.finished(uuid, "compute_resume_instance");
    expect(state(h, uuid)).toEqual({ vm_state: "active", task_state: null, power_state: PowerState.RUNNING });
    expect(h.conductor.instance(uuid)!.system_metadata?.old_vm_state).toBeUndefined();
    expect(
      h.conductor.events
        .filter((e) => e.event === "compute_suspend_instance" || e.event === "compute_resume_instance")
        .map((e) => `${e.event}:${e.phase}`),
    ).toEqual([
      "compute_suspend_instance:start",
      "compute_suspend_instance:finish",
      "compute_resume_instance:start",
      "compute_resume_instance:finish",
    ]);
  });

  it("a failed suspend records a fault and the event's error, and reverts the task state", async () => {
    h = await startHarness({ driver: new FailingSuspendDriver() });
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.suspendInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "suspending" }));
    await h.finished(uuid, "compute_suspend_instance");
    expect(state(h, uuid)).toMatchObject({ vm_state: "active", task_state: null });
    expect(h.conductor.callsOf("InstanceFault.create").length).toBeGreaterThan(0);
  });

  it("refuses a cast for an instance not in suspending (a stale or repeated cast)", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.resumeInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "resuming" }));
    await h.finished(uuid, "compute_resume_instance");
    expect(state(h, uuid)).toEqual({
      vm_state: "active",
      task_state: "resuming",
      power_state: PowerState.RUNNING,
    });
  });

  it("a restart clears a suspend or resume it interrupted, recording the guest's power state", async () => {
    h = await startHarness({ start: false });
    const harness = h;
    const seed = async (task: string, vm: string) => {
      const row = harness.conductor.seedInstance(
        novaInstance({
          host: "cpu-1",
          node: "cpu-1",
          vm_state: vm as never,
          task_state: task as never,
          power_state: 1,
        }),
      );
      await harness.driver.spawn({
        instance: toDriverInstance(row, "instance-%08x"),
        imageMeta: { properties: {} },
      });
      return row.uuid!;
    };
    const suspending = await seed("suspending", "active");
    const resuming = await seed("resuming", "suspended");
    await h.service.start();
    expect(state(h, suspending)).toEqual({
      vm_state: "active",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
    expect(state(h, resuming)).toEqual({
      vm_state: "suspended",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
  });
});
