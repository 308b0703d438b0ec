import { describe, expect, it } from "vitest";
import { instanceResources, resourcesFromFlavor } from "./flavor-resources.js";

// Nova: nova/scheduler/utils.py resources_from_flavor / _get_resources.
describe("resourcesFromFlavor", () => {
  it("counts DISK_GB as root + ephemeral + swap rounded up to whole GB", () => {
    expect(
      resourcesFromFlavor({ vcpus: 2, memory_mb: 2048, root_gb: 20, ephemeral_gb: 5, swap: 1025 }),
    ).toEqual({
      vcpus: 2,
      memory_mb: 2048,
      disk_gb: 27,
    });
    expect(
      resourcesFromFlavor({ vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 1024 }).disk_gb,
    ).toBe(2);
    expect(
      resourcesFromFlavor({ vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0 }).disk_gb,
    ).toBe(1);
  });

  it("leaves out a volume-backed instance's root disk", () => {
    expect(
      resourcesFromFlavor({ vcpus: 1, memory_mb: 512, root_gb: 10, ephemeral_gb: 1, swap: 512 }, true)
        .disk_gb,
    ).toBe(2);
  });

  it("reads an instance's flavor (where swap lives) before its columns", () => {
    const columns = { vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0 };
    expect(instanceResources({ ...columns, flavor: { ...columns, swap: 2048 } }).disk_gb).toBe(3);
    expect(instanceResources({ ...columns, flavor: null }).disk_gb).toBe(1);
  });
});
