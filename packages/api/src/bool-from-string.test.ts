import { describe, expect, it } from "vitest";
import { boolFromString, strictBoolFromString } from "./bool-from-string.js";
import { HttpFault } from "./http-fault.js";

describe("boolFromString (oslo's strutils.bool_from_string)", () => {
  it("reads oslo's words in any case and with spaces around, and booleans as they are", () => {
    for (const word of ["1", "t", "T", "true", "True", "on", "y", "Y", "yes", " YES "]) {
      expect(boolFromString(word)).toBe(true);
    }
    for (const word of ["0", "f", "false", "FALSE", "off", "n", "no", " No "]) {
      expect(boolFromString(word)).toBe(false);
    }
    expect(boolFromString(true)).toBe(true);
    expect(boolFromString(false)).toBe(false);
    // Python's str() of a number first.
    expect(boolFromString(1)).toBe(true);
    expect(boolFromString(0)).toBe(false);
  });

  it("knows no other word (a caller picks the default, or answers 400)", () => {
    for (const word of ["", "2", "none", "truthy", "enabled", "tru"])
      expect(boolFromString(word)).toBeUndefined();
  });

  it("answers a strict caller's unknown word with oslo's message as a 400", () => {
    expect(strictBoolFromString("Y")).toBe(true);
    let caught: unknown;
    try {
      strictBoolFromString("maybe");
    } catch (error) {
      caught = error;
    }
    expect(HttpFault.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({
      status: 400,
      code: "HTTP_400",
      message:
        "Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
    });
  });
});
