import { PowerState } from "@nova/virt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toDriverInstance } from "../src/driver-mapping.js";
import { novaInstance } from "../src/test/index.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("after a restart (init_host) and periodically (_sync_power_states)", () => {
  it("completes an interrupted delete, redoes a stop, clears a pause, and leaves a build to the conductor", async () => {
    h = await startHarness({ start: false });
    const harness = h;
    const seed = async (task: string, vm = "active") => {
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
    const deleting = await seed("deleting");
    const stopping = await seed("powering-off");
    const pausing = await seed("pausing");
    const building = await seed("spawning", "building");
    await h.service.start();
    expect(h.conductor.instances.has(deleting)).toBe(false);
    expect(h.conductor.destroyed.get(deleting)).toMatchObject({ vm_state: "deleted" });
    expect(h.conductor.instance(stopping)).toMatchObject({
      vm_state: "stopped",
      task_state: null,
      power_state: 4,
    });
    expect(h.conductor.instance(pausing)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: 1,
    });
    expect(h.conductor.instance(building)).toMatchObject({ vm_state: "building", task_state: "spawning" });
    expect(
      h.driver
        .guests()
        .map((g) => [g.uuid, g.state])
        .sort(),
    ).toEqual(
      [
        [stopping, PowerState.SHUTDOWN],
        [pausing, PowerState.RUNNING],
        [building, PowerState.RUNNING],
      ].sort(),
    );
  });

  it("every sync_power_state_interval, a database that drifted from the hypervisor is corrected", async () => {
    h = await startHarness({ config: { sync_power_state_interval: 600 } });
    const uuid = (await h.bootActive()).uuid!;
    h.apiSets(uuid, { power_state: PowerState.PAUSED }); // an event lost while the compute was away
    await h.clock.advance(599_000);
    expect(h.conductor.instance(uuid)?.power_state).toBe(PowerState.PAUSED);
    const listedBefore = h.conductor.callsOf("InstanceList.get_by_host").length;
    await h.clock.advance(1_000);
    const harness = h;
    await vi.waitFor(() => expect(harness.conductor.instance(uuid)?.power_state).toBe(PowerState.RUNNING), {
      timeout: 10_000,
    });
    expect(h.conductor.callsOf("InstanceList.get_by_host").length).toBe(listedBefore + 1);
    expect(h.conductor.instance(uuid)?.vm_state).toBe("active");
  });

  it("rolls back a resize this source was killed in (resize_migrating): guest back, task cleared, move in error", async () => {
    h = await startHarness({ start: false });
    // The process died in migrate_disk_and_power_off: the fake hypervisor lost the guest with it.
    const row = h.conductor.seedInstance(
      novaInstance({
        host: "cpu-1",
        node: "cpu-1",
        vm_state: "active",
        task_state: "resize_migrating",
        power_state: 1,
        system_metadata: { old_vm_state: "active" },
      }),
    );
    const move = h.conductor.seedMigration({
      instance_uuid: row.uuid!,
      migration_type: "resize",
      status: "migrating",
      source_compute: "cpu-1",
      dest_compute: "cpu-2",
    });
    // Another instance's move from this host, and this one's finished earlier move, are left alone.
    const other = h.conductor.seedMigration({
      instance_uuid: "00000000-0000-4000-8000-00000000beef",
      migration_type: "migration",
      status: "migrating",
      source_compute: "cpu-1",
    });
    const earlier = h.conductor.seedMigration({
      instance_uuid: row.uuid!,
      migration_type: "resize",
      status: "reverted",
      source_compute: "cpu-1",
    });
    await h.service.start();
    expect(h.conductor.instance(row.uuid!)).toMatchObject({
      vm_state: "active",
      task_state: null,
      power_state: PowerState.RUNNING,
    });
    expect((await h.driver.getInfo(toDriverInstance(row, "instance-%08x"))).state).toBe(PowerState.RUNNING);
    expect(h.conductor.migrations.get(move.id!)?.status).toBe("error");
    expect(h.conductor.migrations.get(other.id!)?.status).toBe("migrating");
    expect(h.conductor.migrations.get(earlier.id!)?.status).toBe("reverted");
  });

  it("ends a move whose task an operator reset while the source was down, and brings its guest back", async () => {
    h = await startHarness({ start: false });
    const row = h.conductor.seedInstance(
      novaInstance({ host: "cpu-1", node: "cpu-1", vm_state: "active", task_state: null, power_state: 1 }),
    );
    const move = h.conductor.seedMigration({
      instance_uuid: row.uuid!,
      migration_type: "migration",
      status: "migrating",
      source_compute: "cpu-1",
      dest_compute: "cpu-2",
    });
    await h.service.start();
    expect(h.conductor.migrations.get(move.id!)?.status).toBe("error");
    expect((await h.driver.getInfo(toDriverInstance(row, "instance-%08x"))).state).toBe(PowerState.RUNNING);
    expect(h.conductor.instance(row.uuid!)).toMatchObject({ vm_state: "active", task_state: null });
  });

  it("destroys the guests evacuated away while it was down, and completes their evacuations", async () => {
    h = await startHarness({ start: false });
    const harness = h;
    // Evacuated to cpu-2 while cpu-1 was down: the row names cpu-2, the guest is still on cpu-1's hypervisor.
    const gone = harness.conductor.seedInstance(
      novaInstance({ host: "cpu-2", node: "cpu-2", vm_state: "active", task_state: null, power_state: 1 }),
    );
    await harness.driver.spawn({
      instance: toDriverInstance(gone, "instance-%08x"),
      imageMeta: { properties: {} },
    });
    const done = harness.conductor.seedMigration({
      instance_uuid: gone.uuid!,
      migration_type: "evacuation",
      status: "done",
      source_compute: "cpu-1",
      dest_compute: "cpu-2",
    });
    // An evacuation that failed leaves its guest alone (Nova looks at accepted, pre-migrating and done only).
    const failed = harness.conductor.seedMigration({
      instance_uuid: gone.uuid!,
      migration_type: "evacuation",
      status: "failed",
      source_compute: "cpu-1",
    });
    await h.service.start();
    expect(await h.driver.listInstanceUuids()).toEqual([]);
    expect(h.conductor.migrations.get(done.id!)?.status).toBe("completed");
    expect(h.conductor.migrations.get(failed.id!)?.status).toBe("failed");
  });
});
