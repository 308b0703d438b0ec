import { describe, expect, it } from "vitest";
import { extraSpecViolation } from "./extra-spec-validators.js";

describe("extraSpecViolation (Nova's extra spec validators)", () => {
  it("accepts valid values of each kind", () => {
    const valid: [string, string][] = [
      ["hw:cpu_policy", "mixed"],
      ["hw:cpu_cores", " 4 "],
      ["hw:numa_mem.1", "1_024"],
      ["hw:cpu_dedicated_mask", "^0-1,3"],
      ["hw:mem_page_size", "2MiB"],
      ["hw:boot_menu", "Yes"],
      ["hw_rng:rate_bytes", "0"],
      ["quota:cpu_quota", "-1"],
      ["os:monitors", "8"],
      ["resources_GPU:VGPU", "1"],
      ["trait:CUSTOM_X", "required"],
      ["capabilities:cpu_info:features", "avx"],
      ["pci_passthrough:alias", "a1:2, b2:1"],
      ["group_policy", "isolate"],
    ];
    for (const [name, value] of valid) expect(extraSpecViolation(name, value), name).toBeUndefined();
  });

  it("refuses bad values with Nova's messages", () => {
    expect(extraSpecViolation("hw:cpu_cores", "1.5")).toBe(
      "Validation failed; '1.5' is not a valid integer value.",
    );
    expect(extraSpecViolation("hw:serial_port_count", "-1")).toBe(
      "Validation failed; '-1' is less than the min value of '0'.",
    );
    expect(extraSpecViolation("hw:pmu", "sometimes")).toBe(
      "Validation failed; 'sometimes' is not a valid boolean-like value.",
    );
    expect(extraSpecViolation("group_policy", "all")).toBe(
      "Validation failed; 'all' is not one of: isolate, none.",
    );
    expect(extraSpecViolation("hw:numa_cpus.0", "a-b")).toBe(
      "Validation failed; 'a-b' is not of the format '\\^?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*'.",
    );
  });

  it("refuses unknown keys only inside Nova's namespaces", () => {
    expect(extraSpecViolation("hw:made_up", "1")).toBe(
      "Validation failed; extra spec 'hw:made_up' does not appear to be a valid extra spec.",
    );
    expect(extraSpecViolation("resources1:VCPUS", "1")).toContain("does not appear to be a valid extra spec");
    expect(extraSpecViolation("trait:lower_case", "required")).toContain(
      "does not appear to be a valid extra spec",
    );
    expect(extraSpecViolation("os:unknown", "1")).toContain("does not appear to be a valid extra spec");
    expect(extraSpecViolation("vendor:thing", "x")).toBeUndefined();
    expect(extraSpecViolation("no_namespace", "x")).toBeUndefined();
    // Not Object.prototype's members.
    expect(extraSpecViolation("constructor", "x")).toBeUndefined();
  });
});
