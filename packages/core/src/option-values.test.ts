import { describe, expect, it } from "vitest";
import { InvalidOptionValue, parseBoolean, parseSecondsToMs } from "./option-values.js";

describe("option values as oslo.config reads them", () => {
  it("accepts exactly oslo.config's boolean spellings, in any case", () => {
    for (const t of ["true", "True", "1", "on", "YES", " yes "]) expect(parseBoolean(t)).toBe(true);
    for (const f of ["false", "FALSE", "0", "off", "No"]) expect(parseBoolean(f)).toBe(false);
    for (const bad of ["y", "t", "n", "f", "", "2", "enabled"]) {
      expect(() => parseBoolean(bad)).toThrow(InvalidOptionValue);
    }
  });

  it("reads seconds (integers and fractions) as milliseconds and refuses the rest", () => {
    expect(parseSecondsToMs("10")).toBe(10_000);
    expect(parseSecondsToMs(" 0.25 ")).toBe(250);
    expect(parseSecondsToMs(60)).toBe(60_000);
    for (const bad of ["", "ten", "10s", "NaN"])
      expect(() => parseSecondsToMs(bad)).toThrow(InvalidOptionValue);
  });
});
