import { describe, expect, it } from "vitest";
import { booleanInput, listInput, numberInput } from "./option-input.js";

describe("option input preprocessors", () => {
  it("read oslo.config's boolean spellings and leave the rest for the schema to refuse", () => {
    expect(booleanInput("Yes")).toBe(true);
    expect(booleanInput("off")).toBe(false);
    expect(booleanInput(true)).toBe(true);
    expect(booleanInput("y")).toBe("y");
    expect(booleanInput(3)).toBe(3);
  });

  it("read numeric strings as numbers and leave blanks and words alone", () => {
    expect(numberInput(" 10 ")).toBe(10);
    expect(numberInput("0.5")).toBe(0.5);
    expect(numberInput("")).toBe("");
    expect(numberInput("ten")).toBe("ten");
    expect(numberInput(7)).toBe(7);
  });

  it("split comma-separated lists, dropping empty items", () => {
    expect(listInput("a, b,,c ")).toEqual(["a", "b", "c"]);
    expect(listInput("")).toEqual([]);
    expect(listInput(["x"])).toEqual(["x"]);
  });
});
