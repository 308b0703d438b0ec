import { describe, expect, it } from "vitest";
import { instanceName } from "./instance-name.js";

// Nova: nova/objects/instance.py Instance.name.
describe("instanceName (Nova's instance_name_template)", () => {
  it("formats the id as Nova's default instance-%08x", () => {
    expect(instanceName("instance-%08x", { id: 9, uuid: "u" })).toBe("instance-00000009");
    expect(instanceName("instance-%08x", { id: 0x1234abcd, uuid: "u" })).toBe("instance-1234abcd");
  });

  it("supports %d, named keys and %%", () => {
    expect(instanceName("vm-%d", { id: 42, uuid: "u" })).toBe("vm-42");
    expect(instanceName("%(uuid)s", { id: 1, uuid: "b8677b88" })).toBe("b8677b88");
    expect(instanceName("x%%-%(id)05d", { id: 7, uuid: "u" })).toBe("x%-00007");
  });

  it("falls back to the uuid when the template needs what the instance lacks", () => {
    expect(instanceName("instance-%08x", { uuid: "b8677b88" })).toBe("b8677b88");
    expect(instanceName("%(hostname)s", { id: 3, uuid: "b8677b88" })).toBe("b8677b88");
  });

  it("gives an instance still being scheduled (no id yet) no name", () => {
    expect(
      instanceName("instance-%08x", { uuid: "b8677b88", vm_state: "building", task_state: "scheduling" }),
    ).toBe("");
    expect(instanceName("instance-%08x", { uuid: "b8677b88", vm_state: "error", task_state: null })).toBe(
      "b8677b88",
    );
  });
});
