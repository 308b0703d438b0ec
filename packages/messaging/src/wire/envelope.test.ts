import { describe, expect, it } from "vitest";
import { allScenarios } from "../../test/fixtures.js";
import { MalformedMessage } from "../errors/malformed-message.js";
import { deserializeMsg, serializeMsg } from "./envelope.js";
import { pythonJsonDumps } from "./python-json.js";

describe("oslo envelope", () => {
  const published = allScenarios().flatMap((s) =>
    s.messages.filter((m) => m.trace_kind === "publish").map((m) => ({ scenario: s.scenario, m })),
  );

  it("has captured messages to compare against", () => {
    expect(published.length).toBeGreaterThan(25);
  });

  it.each(published.map(({ scenario, m }, i) => [`${scenario} #${i}`, m] as const))(
    "re-encodes %s byte for byte",
    (_name, m) => {
      expect(serializeMsg(m.oslo_message_decoded)).toBe(m.body_raw);
    },
  );

  it.each(published.map(({ scenario, m }, i) => [`${scenario} #${i}`, m] as const))(
    "decodes %s twice into the inner message",
    (_name, m) => {
      expect(deserializeMsg(m.body_raw)).toEqual(m.oslo_message_decoded);
    },
  );

  it("writes Python's spacing and escapes non-ASCII as \\uXXXX", () => {
    expect(pythonJsonDumps({ a: [1, 2.5, "é☃😀"], b: {}, c: [], d: null, e: true, f: "\u007f\n" })).toBe(
      '{"a": [1, 2.5, "\\u00e9\\u2603\\ud83d\\ude00"], "b": {}, "c": [], "d": null, "e": true, "f": "\\u007f\\n"}',
    );
    expect(pythonJsonDumps(0.00001)).toBe("1e-05");
    expect(pythonJsonDumps(1.5e-7)).toBe("1.5e-07");
    expect(pythonJsonDumps(0.001)).toBe("0.001");
  });

  it("accepts a bare 1.0 message and any 2.x it can read, refuses other versions and garbage", () => {
    expect(deserializeMsg('{"method": "x", "args": {}}')).toEqual({ method: "x", args: {} });
    expect(deserializeMsg('{"oslo.version": "2.0", "oslo.message": "{\\"a\\": 1}"}')).toEqual({ a: 1 });
    expect(() => deserializeMsg('{"oslo.version": "3.0", "oslo.message": "{}"}')).toThrow(MalformedMessage);
    expect(() => deserializeMsg('{"oslo.version": "2.1", "oslo.message": "{}"}')).toThrow(/envelope version/);
    expect(() => deserializeMsg("not json")).toThrow(MalformedMessage);
    expect(() => deserializeMsg("[1]")).toThrow(MalformedMessage);
    expect(() => deserializeMsg('{"oslo.version": "2.0", "oslo.message": "{nope"}')).toThrow(
      MalformedMessage,
    );
    expect(() => deserializeMsg('{"oslo.version": "2.0", "oslo.message": 5}')).toThrow(MalformedMessage);
  });
});
