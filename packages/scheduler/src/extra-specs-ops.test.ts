import { describe, expect, it } from "vitest";
import { matchExtraSpec } from "./extra-specs-ops.js";
import {
  PythonSemanticsError,
  parsePythonJson,
  pyFloat,
  pyFloatRepr,
  pyInt,
  pyRepr,
  pyStr,
} from "./python-semantics.js";

describe("extra_specs_ops.match", () => {
  it.each([
    ["7002000", ">= 6002000", true],
    ["7002000", "= 7002000.0", true],
    ["1", "= 2", false],
    ["7002000", "s== 7002000", true],
    ["10", "s< 9", true],
    ["abc", "s>= abd", false],
    ["nvme", "<in> nvm", true],
    ["nvme ssd", "<all-in> nvm ssd", true],
    ["nvme", "<all-in> nvm ssd", false],
    ["Intel", "<or> Intel <or> AMD", true],
    ["ARM", "<or> Intel <or> AMD", false],
    ["true", "true", true],
    ["True", "true", false],
    ["x", ">=", false],
  ] as const)("%s against %s is %s", (value, req, want) => {
    expect(matchExtraSpec(value, req)).toBe(want);
  });

  it("raises where Python raises", () => {
    expect(() => matchExtraSpec("abc", ">= 1")).toThrow(PythonSemanticsError);
  });
});

describe("Python conversions", () => {
  it("float() and int() accept what Python accepts", () => {
    expect(pyFloat(" 1_000.5 ")).toBe(1000.5);
    expect(pyFloat("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(pyFloat("1e3")).toBe(1000);
    expect(() => pyFloat("1,5")).toThrow(PythonSemanticsError);
    expect(pyInt(" +42 ")).toBe(42);
    expect(() => pyInt("4.0")).toThrow(PythonSemanticsError);
  });

  it("repr() and str() match Python's", () => {
    expect(pyFloatRepr(1)).toBe("1.0");
    expect(pyFloatRepr(1e16)).toBe("1e+16");
    expect(pyFloatRepr(0.0001)).toBe("0.0001");
    expect(pyFloatRepr(0.00001)).toBe("1e-05");
    expect(pyStr(parsePythonJson('{"arch": "x86_64", "n": 1.0, "l": [1, true, null]}'))).toBe(
      "{'arch': 'x86_64', 'n': 1.0, 'l': [1, True, None]}",
    );
    expect(pyRepr("it's")).toBe(`"it's"`);
  });
});
