import { describe, expect, it } from "vitest";
import { instanceFaultFromError } from "./instance-fault.js";

const U = "11111111-2222-4333-8444-555555555555";

/** Shaped as a Nova exception is: a formatted message and the kwargs it was built from (with its code). */
class InstanceInvalidState extends Error {
  readonly kwargs = { code: 400 };
}

// Nova: nova/compute/utils.py add_instance_fault_from_exc, exception_to_dict, _get_fault_details.
describe("instanceFaultFromError", () => {
  it("keeps a Nova exception's message and kwargs code, with no details unless the code is 500", () => {
    expect(instanceFaultFromError(new InstanceInvalidState("Cannot pause"), U, "cpu-1")).toEqual({
      instance_uuid: U,
      code: 400,
      message: "Cannot pause",
      details: "",
      host: "cpu-1",
    });
  });

  it("shows only a foreign error's class name (its text may hold secrets), code 500 and the stack", () => {
    const f = instanceFaultFromError(new TypeError("password=hunter2"), U, "cpu-1");
    expect(f).toMatchObject({ message: "TypeError", code: 500 });
    expect(f.details).toContain("hunter2");
    expect(instanceFaultFromError("boom", U, null)).toMatchObject({
      message: "Error",
      code: 500,
      details: "",
    });
  });

  it("truncates the message to 255 characters and records a caller's explanation as details", () => {
    const long = new InstanceInvalidState("x".repeat(400));
    expect(instanceFaultFromError(long, U, "h").message).toHaveLength(255);
    expect(instanceFaultFromError(long, U, "h", "task_state was spawning").details).toBe(
      "task_state was spawning",
    );
  });
});
