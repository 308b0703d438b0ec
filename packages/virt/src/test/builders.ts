import type { DriverFlavor } from "../model/flavor.js";
import type { ImageMeta } from "../model/image-meta.js";
import type { DriverInstance } from "../model/instance.js";

let counter = 0;

/** A small flavor (1 vcpu, 512 MiB, 1 GiB root), with overrides. */
export function testFlavor(overrides: Partial<DriverFlavor> = {}): DriverFlavor {
  return {
    flavorId: "1",
    name: "m1.tiny",
    vcpus: 1,
    memoryMb: 512,
    rootGb: 1,
    ephemeralGb: 0,
    swapMb: 0,
    extraSpecs: {},
    ...overrides,
  };
}

/** An instance with a fresh uuid and a Nova-style name, with overrides. */
export function testInstance(overrides: Partial<DriverInstance> = {}): DriverInstance {
  counter += 1;
  return {
    uuid: crypto.randomUUID(),
    name: `instance-${counter.toString(16).padStart(8, "0")}`,
    displayName: `test-${counter}`,
    projectId: "project-a",
    userId: "user-a",
    flavor: testFlavor(),
    ...overrides,
  };
}

/** A qcow2 image's metadata, with overrides. */
export function testImageMeta(overrides: Partial<ImageMeta> = {}): ImageMeta {
  return { id: crypto.randomUUID(), name: "cirros", diskFormat: "qcow2", properties: {}, ...overrides };
}
