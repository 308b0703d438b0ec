import { describe, expect, it } from "vitest";
import { CloudConfigError } from "../errors/cloud-config-error.js";
import { parseYamlSubset } from "./yaml-subset.js";

describe("parseYamlSubset", () => {
  it("reads a clouds.yaml with nesting, quotes, comments, sequences and typed scalars", () => {
    const text = [
      "# openstack clouds",
      "---",
      "clouds:",
      "  devstack:   # the lab",
      "    auth:",
      "      auth_url: http://10.0.0.5/identity",
      '      password: "p#ss: \\"word\\""',
      "      username: 'o''brien'",
      "      project_name: demo",
      "    region_name: RegionOne",
      "    identity_api_version: 3",
      "    verify: false",
      "    regions: [RegionOne, 'Region Two']",
      "    interfaces:",
      "    - public",
      "    - internal",
      "    extra: {}",
      "    nothing:",
      "  other:",
      "    hosts:",
      "      - name: a",
      "        port: 5000",
      "      - name: b",
      "    ratio: 1.5",
      "    tilde: ~",
    ].join("\n");
    expect(parseYamlSubset(text)).toEqual({
      clouds: {
        devstack: {
          auth: {
            auth_url: "http://10.0.0.5/identity",
            password: 'p#ss: "word"',
            username: "o'brien",
            project_name: "demo",
          },
          region_name: "RegionOne",
          identity_api_version: 3,
          verify: false,
          regions: ["RegionOne", "Region Two"],
          interfaces: ["public", "internal"],
          extra: {},
          nothing: null,
        },
        other: { hosts: [{ name: "a", port: 5000 }, { name: "b" }], ratio: 1.5, tilde: null },
      },
    });
    expect(parseYamlSubset("# only a comment\n")).toBeNull();
  });

  it("refuses what it does not understand with the line number", () => {
    const cases: [string, RegExp][] = [
      ["a: 1\n   b: 2", /:2: unexpected indentation/],
      ["a: &anchor 1", /:1: anchors, aliases and tags/],
      ["cert: |\n  abc", /:1: block scalars/],
      ['a: "open', /:1: unterminated quoted string/],
      ["a: 1\na: 2", /:2: duplicate key a/],
      ["just text", /:1: expected `key: value`/],
      ["a: {b: 1}", /flow mappings/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseYamlSubset(text, "clouds.yaml");
      } catch (e) {
        error = e;
      }
      expect(CloudConfigError.isInstance(error), text).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});
