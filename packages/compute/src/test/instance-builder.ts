import { randomUUID } from "node:crypto";
import type { Instance } from "@nova/objects";

/** A Nova instance as the conductor hands it to a compute for a build (vm_state building, task scheduling). */
export function novaInstance(overrides: Partial<Instance> = {}): Partial<Instance> {
  return {
    uuid: randomUUID(),
    user_id: "user-a",
    project_id: "project-a",
    display_name: "vm-1",
    hostname: "vm-1",
    image_ref: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
    vm_state: "building",
    task_state: "scheduling",
    power_state: 0,
    host: null,
    node: null,
    launched_at: null,
    metadata: {},
    system_metadata: {},
    flavor: {
      id: 1,
      name: "m1.tiny",
      flavorid: "1",
      vcpus: 1,
      memory_mb: 64,
      root_gb: 1,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
    },
    vcpus: 1,
    memory_mb: 64,
    root_gb: 1,
    ephemeral_gb: 0,
    ...overrides,
  };
}
