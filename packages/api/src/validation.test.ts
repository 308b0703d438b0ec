import {
  createServerRequestSchemaV21,
  createServerRequestSchemaV219,
  rebootActionSchema,
} from "@nova/client";
import { describe, expect, it } from "vitest";
import { HttpFault } from "./http-fault.js";
import { pythonRepr } from "./python-repr.js";
import { validateBody } from "./validation.js";

function message(schema: Parameters<typeof validateBody>[0], body: unknown): string {
  try {
    validateBody(schema, body);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpFault);
    expect((error as HttpFault).status).toBe(400);
    return (error as HttpFault).message;
  }
  throw new Error("expected a validation failure");
}

describe("pythonRepr", () => {
  it("renders JSON values as Python would", () => {
    expect(pythonRepr({ a: [1, 2.5, true, null], "b'": "it's" })).toBe(
      `{'a': [1, 2.5, True, None], "b'": "it's"}`,
    );
    expect(pythonRepr("tab\there")).toBe("'tab\\there'");
    expect(pythonRepr(3)).toBe("3");
  });
});

describe("validateBody messages (Nova's JSON-schema wording)", () => {
  it("reports the first failing field with its value", () => {
    expect(
      message(createServerRequestSchemaV21, { server: { name: "a", flavorRef: true, imageRef: "" } }),
    ).toBe(
      "Invalid input for field/attribute flavorRef. Value: True. True is not of type 'string', 'integer'",
    );
    expect(message(createServerRequestSchemaV21, { server: { name: " a", flavorRef: "1" } })).toBe(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
    expect(
      message(createServerRequestSchemaV21, {
        server: { name: "a", flavorRef: "1", metadata: { "bad key!": "v" } },
      }),
    ).toBe(
      "Invalid input for field/attribute metadata. Value: {'bad key!': 'v'}. Additional properties are not allowed ('bad key!' was unexpected)",
    );
    expect(
      message(createServerRequestSchemaV219, { server: { name: "a", flavorRef: "1", description: 5 } }),
    ).toBe("Invalid input for field/attribute description. Value: 5. 5 is not of type 'string', 'null'");
    expect(
      message(createServerRequestSchemaV21, { server: { name: "a", flavorRef: "1", min_count: "x" } }),
    ).toBe("Invalid input for field/attribute min_count. Value: x. 'x' does not match '^[0-9]*$'");
  });

  it("words missing and unexpected properties as jsonschema does", () => {
    expect(message(rebootActionSchema, { reboot: {} })).toBe(
      "Invalid input for field/attribute reboot. Value: {}. 'type' is a required property",
    );
    expect(message(rebootActionSchema, { reboot: { type: "SOFT", a: 1, b: 2 } })).toBe(
      "Invalid input for field/attribute reboot. Value: {'type': 'SOFT', 'a': 1, 'b': 2}. Additional properties are not allowed ('a', 'b' were unexpected)",
    );
    expect(message(rebootActionSchema, "x")).toBe("'x' is not of type 'object'");
  });
});
