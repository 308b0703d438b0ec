import { z } from "zod";
import { isNovaObjectPrimitive, type NovaObjectPrimitive, novaObjectPrimitiveSchema } from "./primitive.js";
import { WireFormatError } from "./wire-format-error.js";

/** One field of a Nova object: its TypeScript schema and how it is (de)serialized on the wire. */
export interface Field<T> {
  /** The decoded value's schema (what the field holds in TypeScript). */
  readonly schema: z.ZodType<T>;
  /** Encodes a value as oslo.versionedobjects sends this field type (a datetime as an ISO 8601 string). */
  toWire(value: T): unknown;
  /** Decodes a wire value; an invalid one throws WireFormatError naming `path`, where it was found. */
  fromWire(raw: unknown, path: string): T;
}

/** The TypeScript value type of a field. */
export type FieldValue<F> = F extends Field<infer T> ? T : never;

/** What the object codec module exposes to fields, so nested objects can be typed without a cycle. */
export interface NestedCodec<T> {
  /** The Nova object class name (`Instance`, `InstanceList`), as sent in `nova_object.name`. */
  readonly name: string;
  /** The schema of a decoded value. */
  readonly valueSchema: z.ZodType<T>;
  /** Encodes a value as its versioned-object primitive. */
  toPrimitive(value: T): NovaObjectPrimitive;
  /** Decodes a primitive, checking name, namespace, version and fields; `path` prefixes error locations. */
  fromPrimitive(raw: unknown, path?: string): T;
}

function checked<T>(schema: z.ZodType<T>, raw: unknown, path: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new WireFormatError("INVALID_FIELD", r.error.issues[0]?.message ?? "invalid value", path, {
      cause: r.error,
    });
  }
  return r.data;
}

// `accepts`, when given, recognises exactly the values `schema` passes through unchanged (scalars only): those
// skip zod, which costs more than the rest of decoding an object; anything else still goes through `schema`,
// so errors and edge cases are zod's own. Every field of every object received or read takes this path.
function plain<T>(schema: z.ZodType<T>, accepts?: (raw: unknown) => raw is T): Field<T> {
  return {
    schema,
    toWire: (v) => v,
    fromWire: accepts
      ? (raw, path) => (accepts(raw) ? raw : checked(schema, raw, path))
      : (raw, path) => checked(schema, raw, path),
  };
}

const isString = (raw: unknown): raw is string => typeof raw === "string";
const isNonEmptyString = (raw: unknown): raw is string => typeof raw === "string" && raw.length > 0;
// zod 4's int() takes safe integers only and number() finite numbers only: the same tests.
const isSafeInt = (raw: unknown): raw is number => Number.isSafeInteger(raw);
const isFiniteNumber = (raw: unknown): raw is number => Number.isFinite(raw);
const isBoolean = (raw: unknown): raw is boolean => typeof raw === "boolean";

// Containers: zod hands back a copy, so the shortcuts copy too (a decoded value never aliases the message).
// `copy` returns undefined for anything it does not recognise, which then goes through `schema` as before.
function copying<T>(schema: z.ZodType<T>, copy: (raw: unknown) => T | undefined): Field<T> {
  return {
    schema,
    toWire: (v) => v,
    fromWire: (raw, path) => copy(raw) ?? checked(schema, raw, path),
  };
}

function isPlainRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

function copyDict<V>(raw: unknown, ok: (v: unknown) => v is V): Record<string, V> | undefined {
  if (!isPlainRecord(raw)) return undefined;
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!ok(v)) return undefined;
    out[k] = v;
  }
  return out;
}

const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";

function copyStrings(raw: unknown): string[] | undefined {
  return Array.isArray(raw) && raw.every(isString) ? [...raw] : undefined;
}

// The envelope schema's output: its keys only (zod drops others), data and changes copied one level.
function copyPrimitive(raw: unknown): NovaObjectPrimitive | undefined {
  if (!isNovaObjectPrimitive(raw)) return undefined;
  const out: NovaObjectPrimitive = {
    "nova_object.name": raw["nova_object.name"],
    "nova_object.namespace": raw["nova_object.namespace"],
    "nova_object.version": raw["nova_object.version"],
    "nova_object.data": { ...raw["nova_object.data"] },
  };
  const changes = raw["nova_object.changes"];
  if (changes !== undefined) out["nova_object.changes"] = [...changes];
  return out;
}

// Built once: a zod schema costs far more to construct than to run, and these run for every field decoded.
const anyString = z.string();
const anyArray = z.array(z.unknown());

// oslo's DateTimeField sends whole seconds in UTC with a trailing Z ("2026-11-27T07:08:33Z").
function isoTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

const dateTime: Field<Date> = {
  schema: z.date(),
  toWire: (d) => isoTime(d),
  fromWire: (raw, path) => {
    const s = typeof raw === "string" ? raw : checked(anyString, raw, path);
    // Nova accepts both "…Z" and "…+00:00" and the microsecond form; Date parses them all.
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
    if (Number.isNaN(d.getTime())) throw new WireFormatError("INVALID_FIELD", `bad datetime ${s}`, path);
    return d;
  },
};

/** Field constructors named after oslo.versionedobjects field types. */
export const f = {
  string: () => plain(z.string(), isString),
  uuid: () => plain(z.string().min(1), isNonEmptyString),
  int: () => plain(z.number().int(), isSafeInt),
  float: () => plain(z.number(), isFiniteNumber),
  bool: () => plain(z.boolean(), isBoolean),
  dateTime: () => dateTime,
  /** A closed set of strings (vm_state, task_state, ...). */
  enumOf: <const V extends readonly [string, ...string[]]>(values: V) => {
    const known = new Set<unknown>(values);
    return plain(z.enum(values), (raw): raw is V[number] => known.has(raw));
  },
  /** A closed set of integers (power_state). */
  intEnumOf: <const V extends readonly number[]>(values: V) => {
    const known = new Set<unknown>(values.filter((n) => Number.isSafeInteger(n)));
    return plain(
      z
        .number()
        .int()
        .refine((n) => values.includes(n), { message: `expected one of ${values.join(",")}` }),
      (raw): raw is number => known.has(raw),
    ) as Field<V[number]>;
  },
  dictOfStrings: () => copying(z.record(z.string(), z.string()), (raw) => copyDict(raw, isString)),
  dictOfNullableStrings: () =>
    copying(z.record(z.string(), z.string().nullable()), (raw) => copyDict(raw, isStringOrNull)),
  dictOfListOfStrings: () => plain(z.record(z.string(), z.array(z.string()))),
  listOfStrings: () => copying(z.array(z.string()), copyStrings),
  /** Any JSON value, kept as it is. */
  json: () => plain(z.unknown()),
  /** A nested object we do not model (ImageMeta, TagList, ...): kept as its primitive, unchanged. */
  opaque: (): Field<NovaObjectPrimitive> =>
    copying(novaObjectPrimitiveSchema as z.ZodType<NovaObjectPrimitive>, copyPrimitive),
  /** A nested Nova object decoded by its own codec. */
  object: <T>(codec: NestedCodec<T>): Field<T> => ({
    schema: codec.valueSchema,
    toWire: (v) => codec.toPrimitive(v),
    fromWire: (raw, path) => codec.fromPrimitive(raw, path),
  }),
  /** A plain JSON list of nested objects (ListOfObjectsField, e.g. ComputeNode.supported_hv_specs). */
  listOf: <T>(item: Field<T>): Field<T[]> => ({
    schema: z.array(item.schema),
    toWire: (v) => v.map((x) => item.toWire(x)),
    fromWire: (raw, path) => checked(anyArray, raw, path).map((x, i) => item.fromWire(x, `${path}[${i}]`)),
  }),
  /** Allows null on the wire and in TypeScript. */
  nullable: <T>(inner: Field<T>): Field<T | null> => ({
    schema: inner.schema.nullable(),
    toWire: (v) => (v === null ? null : inner.toWire(v)),
    fromWire: (raw, path) => (raw === null ? null : inner.fromWire(raw, path)),
  }),
};
