import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { parseIni } from "./ini-file.js";

describe("parseIni (oslo.config's rules)", () => {
  it("reads sections, both separators, comments, quotes and continuation lines", () => {
    const doc = parseIni(
      [
        "# a comment",
        "[DEFAULT]",
        "host = cpu-1",
        "transport_url: rabbit://a:b@h:5672/",
        "; another comment",
        "my_ip = '10.0.0.5'",
        "url = a=b:c",
        "",
        "[filter_scheduler]",
        "enabled_filters = ComputeFilter,",
        "  AvailabilityZoneFilter",
        "",
        "[DEFAULT]",
        "debug = True",
      ].join("\n"),
    );
    const def = doc.sections.get("DEFAULT");
    expect(def?.get("host")).toEqual(["cpu-1"]);
    expect(def?.get("transport_url")).toEqual(["rabbit://a:b@h:5672/"]);
    expect(def?.get("my_ip")).toEqual(["10.0.0.5"]);
    expect(def?.get("url")).toEqual(["a=b:c"]); // '=' comes first, so it separates
    expect(def?.get("debug")).toEqual(["True"]);
    expect(doc.sections.get("filter_scheduler")?.get("enabled_filters")).toEqual([
      "ComputeFilter,\nAvailabilityZoneFilter",
    ]);
  });

  it("keeps every value of a repeated option", () => {
    const doc = parseIni("[pci]\nalias = a\nalias = b\n");
    expect(doc.sections.get("pci")?.get("alias")).toEqual(["a", "b"]);
  });

  it.each([
    ["[DEFAULT\n", /Invalid section/],
    ["[]\n", /Empty section name/],
    ["[DEFAULT]\njust words\n", /No ':' or '='/],
    ["[DEFAULT]\n= value\n", /Key cannot be empty/],
    ["  indented\n", /Unexpected continuation/],
    ["host = a\n", /outside of any section/],
  ])("rejects %j with a message naming the line", (text, why) => {
    expect(() => parseIni(text, "nova.conf")).toThrow(why);
    try {
      parseIni(text, "nova.conf");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^nova\.conf:\d+: /);
    }
  });
});
