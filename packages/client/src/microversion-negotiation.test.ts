import { describe, expect, it } from "vitest";
import { MicroversionNotSupportedError } from "./errors/microversion-not-supported-error.js";
import { negotiateMicroversion } from "./microversion-negotiation.js";

describe("negotiateMicroversion", () => {
  it("picks the highest version inside both ranges", () => {
    const server = { version: "2.79", min_version: "2.1" };
    expect(negotiateMicroversion(server).version.toString()).toBe("2.79");
    expect(negotiateMicroversion(server, { max: "2.60" }).version.toString()).toBe("2.60");
    expect(negotiateMicroversion(server, { max: "latest" }).version.toString()).toBe("2.79");
    expect(negotiateMicroversion({ version: "2.200", min_version: "2.1" }).version.toString()).toBe("2.93");
    // A server without microversions (an old v2.1, or v2.0) speaks 2.1 only.
    expect(negotiateMicroversion({ version: "", min_version: "" }).version.toString()).toBe("2.1");
  });

  it("refuses ranges that do not meet, and malformed versions", () => {
    const error = (() => {
      try {
        return negotiateMicroversion({ version: "2.60", min_version: "2.1" }, { min: "2.79" });
      } catch (e) {
        return e;
      }
    })();
    expect(MicroversionNotSupportedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ serverMin: "2.1", serverMax: "2.60" });
    expect(() => negotiateMicroversion({ version: "two", min_version: "2.1" })).toThrow(/malformed/);
    expect(() => negotiateMicroversion({ version: "2.60", min_version: "2.1" }, { max: "2.x" })).toThrow(
      TypeError,
    );
  });
});
