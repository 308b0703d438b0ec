import type { ComputeNode } from "@nova/objects";
import { type AvailableResource, FakeDriver } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { USAGE_FIELDS } from "../src/resource-tracker.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A fake host whose capacity the test can change, counting resource reads. */
class ResizableDriver extends FakeDriver {
  reads = 0;
  vcpusOverride: number | undefined;
  override async getAvailableResource(nodename: string): Promise<AvailableResource> {
    this.reads++;
    const r = await super.getAvailableResource(nodename);
    return this.vcpusOverride === undefined ? r : { ...r, vcpus: this.vcpusOverride };
  }
}

const node = (harness: Harness): Partial<ComputeNode> => [...harness.conductor.computeNodes.values()][0]!;

describe("ResourceTracker", () => {
  it("creates the compute node at start: capacity, hypervisor, initial ratios, no usage, this service", async () => {
    h = await startHarness({
      driver: new FakeDriver({ vcpus: 8, memoryMb: 16384, localGb: 100 }),
      config: { reserved_host_memory_mb: 0 },
    });
    const creates = h.conductor.callsOf("ComputeNode.create");
    expect(creates).toHaveLength(1);
    expect(node(h)).toMatchObject({
      host: "cpu-1",
      hypervisor_hostname: "cpu-1",
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 100,
      vcpus_used: 0,
      memory_mb_used: 0,
      local_gb_used: 0,
      free_ram_mb: 16384,
      free_disk_gb: 100,
      cpu_allocation_ratio: 16,
      ram_allocation_ratio: 1.5,
      disk_allocation_ratio: 1,
      service_id: h.service.service?.id,
      stats: { failed_builds: "0" },
    });
    expect(node(h).supported_hv_specs).toEqual([
      {
        "nova_object.name": "HVSpec",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.2",
        "nova_object.data": { arch: "x86_64", hv_type: "fake", vm_mode: "hvm" },
      },
    ]);
  });

  it("counts reserved_host_cpus/memory_mb/disk_mb as used on a new node, as Nova's resource tracker", async () => {
    h = await startHarness({
      driver: new FakeDriver({ vcpus: 8, memoryMb: 16384, localGb: 100 }),
      config: { reserved_host_cpus: 2, reserved_host_memory_mb: 1024, reserved_host_disk_mb: 3072 },
    });
    expect(node(h)).toMatchObject({
      vcpus_used: 2,
      memory_mb_used: 1024,
      free_ram_mb: 15360,
      local_gb_used: 3,
      free_disk_gb: 97,
    });
  });

  it("reserves Nova's default 512 MB of memory when nothing is configured", async () => {
    h = await startHarness({ driver: new FakeDriver({ vcpus: 8, memoryMb: 16384, localGb: 100 }) });
    expect(node(h)).toMatchObject({
      vcpus_used: 0,
      memory_mb_used: 512,
      free_ram_mb: 15872,
      local_gb_used: 0,
    });
  });

  it("reads the driver every update_resources_interval and saves only what changed, never the usage", async () => {
    const driver = new ResizableDriver({ vcpus: 8 });
    h = await startHarness({ driver, config: { update_resources_interval: 30 } });
    expect(driver.reads).toBe(1);
    // The scheduler's claims moved the usage meanwhile.
    Object.assign(node(h), { vcpus_used: 5, memory_mb_used: 2048, free_ram_mb: 100 });
    await h.clock.advance(29_999);
    expect(driver.reads).toBe(1);
    await h.clock.advance(1);
    await h.service.resourceTracker.stop();
    expect(driver.reads).toBe(2);
    expect(h.conductor.callsOf("ComputeNode.save")).toHaveLength(0);

    driver.vcpusOverride = 12;
    await h.service.resourceTracker.start();
    await h.service.resourceTracker.stop();
    const saves = h.conductor.callsOf("ComputeNode.save");
    expect(saves.map((s) => s.changes)).toEqual([["vcpus"]]);
    for (const f of USAGE_FIELDS) expect(saves[0]?.data).not.toHaveProperty(f);
    expect(node(h)).toMatchObject({ vcpus: 12, vcpus_used: 5, memory_mb_used: 2048, free_ram_mb: 100 });
  });

  it("keeps an existing node (no create) and applies a configured allocation ratio on every pass", async () => {
    h = await startHarness({ start: false, config: { cpu_allocation_ratio: 2.0, ram_allocation_ratio: 0 } });
    h.conductor.computeNodes.set("5c1a4c64-7b38-4d1f-b5a3-4a2c0c6e0f11", {
      id: 40,
      uuid: "5c1a4c64-7b38-4d1f-b5a3-4a2c0c6e0f11",
      host: "cpu-1",
      hypervisor_hostname: "cpu-1",
      vcpus: 1000,
      cpu_allocation_ratio: 16,
      ram_allocation_ratio: 3,
      disk_allocation_ratio: 1,
      vcpus_used: 9,
    });
    await h.service.start();
    expect(h.conductor.callsOf("ComputeNode.create")).toHaveLength(0);
    const save = h.conductor.callsOf("ComputeNode.save")[0];
    expect(save?.changes).toContain("cpu_allocation_ratio");
    // 0.0 is Nova's legacy "unset": the node keeps its own ram ratio.
    expect(save?.changes).not.toContain("ram_allocation_ratio");
    expect(node(h)).toMatchObject({
      id: 40,
      cpu_allocation_ratio: 2,
      ram_allocation_ratio: 3,
      vcpus_used: 9,
    });
  });

  it("a negative update_resources_interval reports at start only", async () => {
    const driver = new ResizableDriver();
    h = await startHarness({ driver, config: { update_resources_interval: -1 } });
    await h.clock.advance(3_600_000);
    expect(driver.reads).toBe(1);
  });
});
