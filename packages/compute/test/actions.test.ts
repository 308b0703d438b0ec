import type { Instance } from "@nova/objects";
import { InstanceNotFound } from "@nova/rpcapi";
import { FakeDriver, type InstanceRef, type PowerOffOptions, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A fake host that remembers how it was asked to power off. */
class RecordingDriver extends FakeDriver {
  readonly powerOffs: PowerOffOptions[] = [];
  override powerOff(instance: InstanceRef, options?: PowerOffOptions): Promise<void> {
    this.powerOffs.push(options ?? {});
    return super.powerOff(instance, options);
  }
}

/** The Instance.save calls for one instance: [changes, expected_task_state, the values saved]. */
function saves(harness: Harness, uuid: string, from = 0) {
  return harness.conductor
    .callsOf("Instance.save")
    .filter((c) => c.data.uuid === uuid)
    .slice(from)
    .map((c) => ({
      set: Object.fromEntries(c.changes.map((k) => [k, c.data[k]])),
      expected: c.kwargs.expected_task_state,
    }));
}

function state(harness: Harness, uuid: string): Pick<Instance, "vm_state" | "task_state" | "power_state"> {
  const row = harness.conductor.instance(uuid)!;
  return {
    vm_state: row.vm_state!,
    task_state: row.task_state ?? null,
    power_state: row.power_state ?? null,
  };
}

describe("power actions", () => {
  it("soft reboot: rebooting -> reboot_pending -> reboot_started -> active/RUNNING, no task", async () => {
    h = await startHarness();
    const booted = await h.bootActive();
    const uuid = booted.uuid!;
    const before = saves(h, uuid).length;
    const inst = h.apiSets(uuid, { task_state: "rebooting" });
    await h.computeApi.rebootInstance(h.ctx, h.host, inst, "SOFT");
    await h.finished(uuid, "compute_reboot_instance");
    expect(saves(h, uuid, before)).toEqual([
      {
        set: { task_state: "reboot_pending", power_state: 1 },
        expected: ["rebooting", "reboot_pending", "reboot_started"],
      },
      { set: { task_state: "reboot_started" }, expected: ["reboot_pending"] },
      { set: { power_state: 1, vm_state: "active", task_state: null }, expected: ["reboot_started"] },
    ]);
    expect(state(h, uuid)).toEqual({ vm_state: "active", task_state: null, power_state: PowerState.RUNNING });
    expect(
      h.conductor.events.filter((e) => e.event === "compute_reboot_instance").map((e) => e.phase),
    ).toEqual(["start", "finish"]);
  });

  it("hard reboot uses the _hard task states; its stop/start lifecycle events leave the row alone", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    const before = saves(h, uuid).length;
    const inst = h.apiSets(uuid, { task_state: "rebooting_hard" });
    await h.computeApi.rebootInstance(h.ctx, h.host, inst, "HARD");
    await h.finished(uuid, "compute_reboot_instance");
    expect(saves(h, uuid, before).map((s) => s.expected)).toEqual([
      ["rebooting_hard", "reboot_pending_hard", "reboot_started_hard"],
      ["reboot_pending_hard"],
      ["reboot_started_hard"],
    ]);
    expect(state(h, uuid)).toEqual({ vm_state: "active", task_state: null, power_state: PowerState.RUNNING });
    // The events were judged (the row was read) and found stale or already in line: nothing more was saved.
    expect(h.conductor.callsOf("Instance.get_by_uuid").length).toBeGreaterThan(0);
    expect(saves(h, uuid, before)).toHaveLength(3);
  });

  it("stop with clean_shutdown powers off gracefully (shutdown_timeout, retry interval) -> stopped/SHUTDOWN", async () => {
    const driver = new RecordingDriver();
    h = await startHarness({ driver, config: { shutdown_timeout: 30, shutdown_retry_interval: 5 } });
    const uuid = (await h.bootActive()).uuid!;
    const before = saves(h, uuid).length;
    const inst = h.apiSets(uuid, { task_state: "powering-off" });
    await h.computeApi.stopInstance(h.ctx, h.host, inst, true);
    await h.finished(uuid, "compute_stop_instance");
    expect(driver.powerOffs).toEqual([{ timeoutSeconds: 30, retryIntervalSeconds: 5 }]);
    expect(saves(h, uuid, before)).toEqual([
      { set: { power_state: 4, vm_state: "stopped", task_state: null }, expected: ["powering-off"] },
    ]);
    expect(state(h, uuid)).toEqual({
      vm_state: "stopped",
      task_state: null,
      power_state: PowerState.SHUTDOWN,
    });
  });

  it("stop without clean_shutdown forces the power off; the image's os_shutdown_timeout wins over the option", async () => {
    const driver = new RecordingDriver();
    h = await startHarness({ driver });
    const a = (await h.bootActive()).uuid!;
    await h.computeApi.stopInstance(h.ctx, h.host, h.apiSets(a, { task_state: "powering-off" }), false);
    await h.finished(a, "compute_stop_instance");
    const b = (await h.bootActive({ system_metadata: { image_os_shutdown_timeout: "7" } })).uuid!;
    await h.computeApi.stopInstance(h.ctx, h.host, h.apiSets(b, { task_state: "powering-off" }), true);
    await h.finished(b, "compute_stop_instance");
    expect(driver.powerOffs).toEqual([
      { timeoutSeconds: 0, retryIntervalSeconds: 0 },
      { timeoutSeconds: 7, retryIntervalSeconds: 10 },
    ]);
  });

  it("start: powering-on -> active/RUNNING", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.stopInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "powering-off" }), true);
    await h.finished(uuid, "compute_stop_instance");
    const before = saves(h, uuid).length;
    await h.computeApi.startInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "powering-on" }));
    await h.finished(uuid, "compute_start_instance");
    expect(saves(h, uuid, before)).toEqual([
      { set: { power_state: 1, vm_state: "active", task_state: null }, expected: ["powering-on"] },
    ]);
    expect(h.driver.guests()[0]?.state).toBe(PowerState.RUNNING);
  });

  it("pause: pausing -> paused/PAUSED; unpause: unpausing -> active/RUNNING", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.computeApi.pauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "pausing" }));
    await h.finished(uuid, "compute_pause_instance");
    expect(state(h, uuid)).toEqual({ vm_state: "paused", task_state: null, power_state: PowerState.PAUSED });
    expect(saves(h, uuid).at(-1)?.expected).toEqual(["pausing"]);
    await h.computeApi.unpauseInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "unpausing" }));
    await h.finished(uuid, "compute_unpause_instance");
    expect(state(h, uuid)).toEqual({ vm_state: "active", task_state: null, power_state: PowerState.RUNNING });
    expect(saves(h, uuid).at(-1)?.expected).toEqual(["unpausing"]);
  });

  it("terminate: destroys the guest, records deleted, destroys the row, tells the schedulers", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.scheduler.received(1);
    await h.computeApi.terminateInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "deleting" }));
    await h.finished(uuid, "compute_terminate_instance");
    expect(h.driver.guests()).toEqual([]);
    const lastSave = saves(h, uuid).at(-1);
    expect(lastSave?.set).toMatchObject({ vm_state: "deleted", task_state: null, power_state: 0 });
    expect(lastSave?.set.terminated_at).toBe(`${new Date(h.clock.now()).toISOString().slice(0, 19)}Z`);
    expect(h.conductor.callsOf("Instance.destroy").map((c) => c.data.uuid)).toEqual([uuid]);
    expect(h.conductor.instances.has(uuid)).toBe(false);
    await h.scheduler.received(2);
    expect(h.scheduler.calls[1]).toEqual({
      method: "delete_instance_info",
      args: { host_name: "cpu-1", instance_uuid: uuid },
    });
  });

  it("a delete that arrives during the build waits for it, then removes the guest", async () => {
    const { FakeClock } = await import("@nova/core/test");
    const virtClock = new FakeClock(0);
    h = await startHarness({ driver: new FakeDriver({ spawnDelayMs: 1000, clock: virtClock }) });
    const { novaInstance } = await import("../src/test/index.js");
    const row = h.conductor.seedInstance(novaInstance());
    const uuid = row.uuid!;
    const building = h.computeApi.buildAndRunInstance(h.ctx, h.host, {
      instance: row,
      image: {},
      request_spec: {},
      node: h.host,
    });
    await virtClock.whenPending(1);
    await h.computeApi.terminateInstance(h.ctx, h.host, h.apiSets(uuid, { task_state: "deleting" }));
    await virtClock.advance(1000);
    await expect(building).resolves.toMatchObject({ instance_uuid: uuid });
    await h.finished(uuid, "compute_terminate_instance");
    expect(h.driver.guests()).toEqual([]);
    expect(h.conductor.instances.has(uuid)).toBe(false);
  });

  it("console output: the guest's log, tailed to the last N lines", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive({ hostname: "web-1" })).uuid!;
    h.driver.writeConsole(uuid, "line a\nline b\nline c");
    const inst = h.conductor.instance(uuid)!;
    const all = await h.computeApi.getConsoleOutput(h.ctx, h.host, inst);
    expect(all).toContain("web-1 login:");
    expect(all.endsWith("line a\nline b\nline c")).toBe(true);
    expect(await h.computeApi.getConsoleOutput(h.ctx, h.host, inst, 2)).toBe("line b\nline c");
    expect(await h.computeApi.getConsoleOutput(h.ctx, h.host, inst, 0)).toBe("");
  });

  it("console output of a guest this host does not have is InstanceNotFound (typed at the caller), no fault", async () => {
    h = await startHarness();
    const { novaInstance } = await import("../src/test/index.js");
    const ghost = novaInstance({ id: 77 });
    await expect(h.computeApi.getConsoleOutput(h.ctx, h.host, ghost)).rejects.toBeInstanceOf(
      InstanceNotFound,
    );
    expect(h.conductor.faults).toEqual([]);
  });
});
