import { describe, expect, it } from "vitest";
import { ApiVersion, MAX_API_VERSION, MIN_API_VERSION } from "./api-version.js";

describe("ApiVersion", () => {
  it("parses X.Y as Nova does", () => {
    expect(ApiVersion.parse("2.93")?.toString()).toBe("2.93");
    expect(ApiVersion.parse("10.0")?.toString()).toBe("10.0");
    for (const bad of ["2", "2.01", "02.1", "0.1", "2.1.1", "latest", " 2.1", ""]) {
      expect(ApiVersion.parse(bad), bad).toBeUndefined();
    }
  });
  it("compares numerically, not as text", () => {
    const v = (s: string) => ApiVersion.parse(s)!;
    expect(v("2.10").compare(v("2.9"))).toBeGreaterThan(0);
    expect(v("2.9").atLeast("2.10")).toBe(false);
    expect(v("2.47").atLeast("2.47")).toBe(true);
    expect(v("3.0").matches(MIN_API_VERSION, MAX_API_VERSION)).toBe(false);
    expect(v("2.1").matches(MIN_API_VERSION, MAX_API_VERSION)).toBe(true);
    expect(() => v("2.1").atLeast("x")).toThrow(TypeError);
  });
});
