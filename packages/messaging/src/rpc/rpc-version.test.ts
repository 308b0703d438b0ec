import { describe, expect, it } from "vitest";
import { checkVersion, isVersionCompatible } from "./rpc-version.js";

describe("isVersionCompatible (oslo's version_is_compatible)", () => {
  it.each([
    ["1.5", "1.3", true],
    ["1.5", "1.5", true],
    ["1.5", "1.6", false],
    ["1.5", "2.0", false],
    ["2.0", "1.9", false],
    ["1.5.1", "1.5.1", true],
    ["1.5", "1.5.1", false],
    ["1.5.2", "1.5.1", true],
  ])("implemented %s serves %s: %s", (impl, req, ok) => {
    expect(isVersionCompatible(impl, req)).toBe(ok);
  });

  it("treats a missing cap as no limit and a missing request as incompatible with a cap", () => {
    expect(isVersionCompatible(undefined, "9.9")).toBe(true);
    expect(isVersionCompatible("1.0", undefined)).toBe(false);
  });

  it("refuses versions without major and minor", () => {
    expect(() => checkVersion("1")).toThrow(/major and minor/);
    expect(() => checkVersion("a.b")).toThrow(/major and minor/);
  });
});
