import { describe, expect, it } from "vitest";
import { f, WireFormatError } from "../src/index.js";

// Scalar fields skip zod for values they recognise; these pin that the shortcut accepts and rejects exactly
// what the field's own schema does, edge cases included.
const samples: unknown[] = [
  "",
  "x",
  "ACTIVE",
  0,
  -0,
  1,
  -7,
  1.5,
  2 ** 53,
  -(2 ** 53) + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  {},
  [],
  "1",
];

const fields = {
  string: f.string(),
  uuid: f.uuid(),
  int: f.int(),
  float: f.float(),
  bool: f.bool(),
  enumOf: f.enumOf(["ACTIVE", "x"] as const),
  intEnumOf: f.intEnumOf([0, 1, 4] as const),
};

const prim = (data: unknown, extra: Record<string, unknown> = {}) => ({
  "nova_object.name": "TagList",
  "nova_object.namespace": "nova",
  "nova_object.version": "1.1",
  "nova_object.data": data,
  ...extra,
});

const containerSamples: unknown[] = [
  ...samples,
  { a: "1", b: "2" },
  { a: "1", b: null },
  { a: 1 },
  ["a", "b"],
  ["a", 1],
  prim({ objects: [] }),
  prim({ objects: [] }, { "nova_object.changes": ["objects"] }),
  prim({ objects: [] }, { "nova_object.changes": [1] }),
  prim({ objects: [] }, { stray: 1 }),
  prim([]),
  { ...prim({}), "nova_object.version": "1" },
  "2026-11-27T07:08:33Z",
];

const containers = {
  dictOfStrings: f.dictOfStrings(),
  dictOfNullableStrings: f.dictOfNullableStrings(),
  listOfStrings: f.listOfStrings(),
  opaque: f.opaque(),
};

describe("container fields decode as their schema does, into a copy", () => {
  for (const [name, field] of Object.entries(containers)) {
    it(name, () => {
      for (const raw of containerSamples) {
        const expected = (
          field.schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }
        ).safeParse(raw);
        let decoded: unknown;
        let error: unknown;
        try {
          decoded = field.fromWire(raw, `t.${name}`);
        } catch (err) {
          error = err;
        }
        const label = `${name} ${JSON.stringify(raw)}`;
        if (expected.success) {
          expect(error, label).toBeUndefined();
          expect(decoded, label).toStrictEqual(expected.data);
          expect(decoded, label).not.toBe(raw);
        } else {
          expect(error, label).toBeInstanceOf(WireFormatError);
        }
      }
    });
  }
});

describe("scalar fields decode as their schema does", () => {
  for (const [name, field] of Object.entries(fields)) {
    it(name, () => {
      for (const raw of samples) {
        const expected = (field.schema as { safeParse(v: unknown): { success: boolean } }).safeParse(raw);
        let decoded: unknown;
        let error: unknown;
        try {
          decoded = field.fromWire(raw, `t.${name}`);
        } catch (err) {
          error = err;
        }
        if (expected.success) {
          expect(error, `${name} ${String(raw)}`).toBeUndefined();
          expect(Object.is(decoded, raw), `${name} ${String(raw)}`).toBe(true);
        } else {
          expect(error, `${name} ${String(raw)}`).toBeInstanceOf(WireFormatError);
          expect((error as WireFormatError).code).toBe("INVALID_FIELD");
        }
      }
    });
  }
});
