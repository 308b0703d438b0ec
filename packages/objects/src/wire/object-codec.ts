import { z } from "zod";
import type { Field, FieldValue, NestedCodec } from "./fields.js";
import { isNovaObjectPrimitive, NOVA_NAMESPACE, type NovaObjectPrimitive } from "./primitive.js";
import { WireFormatError } from "./wire-format-error.js";

/** A map of field name to field definition. */
export type FieldMap = Record<string, Field<unknown>>;

/** The full TypeScript type of an object: every field set. */
export type ObjectOf<F extends FieldMap> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/** What travelled with an object besides its fields: needed to send it back exactly as it came. */
export interface ObjectMeta {
  /** The object version it came with (`2.7`). */
  version: string;
  /** The `nova_object.changes` it came with, if any. */
  changes: string[] | undefined;
  /** Fields of a newer minor version that this codec does not know; re-sent untouched. */
  extra: Record<string, unknown>;
}

// Symbol.for so that duplicate copies of this package agree; non-enumerable so equality and JSON ignore it.
const META = Symbol.for("nova.objects.meta");

/** The wire metadata (version, changes) an object was decoded with, if any. */
export function objectMeta(obj: object): ObjectMeta | undefined {
  return (obj as { [META]?: ObjectMeta })[META];
}

/** The fields changed since the object was loaded (Nova's obj_what_changed), as sent by the peer. */
export function objectChanges(obj: object): readonly string[] | undefined {
  return objectMeta(obj)?.changes;
}

/** Records which fields changed, so toPrimitive sends them as nova_object.changes. Returns obj. */
export function withChanges<T extends object>(obj: T, changes: readonly string[] | undefined): T {
  const meta = objectMeta(obj);
  setMeta(obj, {
    version: meta?.version ?? "",
    extra: meta?.extra ?? {},
    changes: changes ? [...changes] : undefined,
  });
  return obj;
}

function setMeta(obj: object, meta: ObjectMeta): void {
  Object.defineProperty(obj, META, { value: meta, enumerable: false, configurable: true, writable: true });
}

function major(version: string): number {
  return Number.parseInt(version.split(".")[0] ?? "0", 10);
}

/** Encodes/decodes one Nova object class, and validates it with zod. */
export interface ObjectCodec<F extends FieldMap> extends NestedCodec<Partial<ObjectOf<F>>> {
  /** The Nova object class name, as sent in `nova_object.name` (`Instance`). */
  readonly name: string;
  /** The object version this codec speaks (`major.minor`), sent in `nova_object.version`. */
  readonly version: string;
  /** The fields by name, each with its schema and wire form. */
  readonly fields: F;
  /** Every field set (an object loaded from the database). */
  readonly schema: z.ZodType<ObjectOf<F>>;
  /** Any subset of fields set (an object as it arrives over RPC). */
  readonly valueSchema: z.ZodType<Partial<ObjectOf<F>>>;
  /** The primitive of an object; only set fields are sent, changes from options or from how it arrived. */
  toPrimitive(
    value: Partial<ObjectOf<F>>,
    options?: { changes?: readonly string[]; version?: string },
  ): NovaObjectPrimitive;
  /** Decodes and validates a primitive; the result remembers its version and changes. */
  fromPrimitive(raw: unknown, path?: string): Partial<ObjectOf<F>>;
  /** Serializes some fields by their type (the `updates` dict of an object_action reply). */
  encodeFields(value: Partial<ObjectOf<F>>): Record<string, unknown>;
  /** Decodes a dict of serialized fields; unknown keys are ignored. */
  decodeFields(raw: Record<string, unknown>, path?: string): Partial<ObjectOf<F>>;
}

/** Defines a Nova object class by its name, VERSION and fields (as in nova/objects/*.py). */
export function defineObject<const F extends FieldMap>(
  name: string,
  version: string,
  fields: F,
): ObjectCodec<F> {
  const shape = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.schema]));
  const schema = z.object(shape) as unknown as z.ZodType<ObjectOf<F>>;
  const valueSchema = z.object(shape).partial() as unknown as z.ZodType<Partial<ObjectOf<F>>>;

  const encodeFields = (value: Partial<ObjectOf<F>>): Record<string, unknown> => {
    const data: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const field = fields[key];
      if (field && v !== undefined) data[key] = field.toWire(v);
    }
    return data;
  };
  const decodeFields = (raw: Record<string, unknown>, path = name): Partial<ObjectOf<F>> => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(raw)) {
      const field = fields[key];
      if (field) out[key] = field.fromWire(v, `${path}.${key}`);
    }
    return out as Partial<ObjectOf<F>>;
  };

  return {
    name,
    version,
    fields,
    schema,
    valueSchema,
    encodeFields,
    decodeFields,
    toPrimitive(value, options) {
      const meta = objectMeta(value);
      const data = { ...(meta?.extra ?? {}), ...encodeFields(value) };
      const changes = options?.changes ?? meta?.changes;
      const primitive: NovaObjectPrimitive = {
        "nova_object.name": name,
        "nova_object.namespace": NOVA_NAMESPACE,
        "nova_object.version": options?.version ?? (meta?.version || version),
        "nova_object.data": data,
      };
      if (changes && changes.length > 0) primitive["nova_object.changes"] = [...changes];
      return primitive;
    },
    fromPrimitive(raw, path = name) {
      if (!isNovaObjectPrimitive(raw))
        throw new WireFormatError("INVALID_PRIMITIVE", "not a Nova object primitive", path);
      const p = raw;
      if (p["nova_object.namespace"] !== NOVA_NAMESPACE) {
        throw new WireFormatError("WRONG_OBJECT", `namespace ${p["nova_object.namespace"]}`, path);
      }
      if (p["nova_object.name"] !== name) {
        throw new WireFormatError("WRONG_OBJECT", `expected ${name}, got ${p["nova_object.name"]}`, path);
      }
      // Same major version: newer minors only add fields, which we carry along untouched.
      if (major(p["nova_object.version"]) !== major(version)) {
        throw new WireFormatError(
          "INCOMPATIBLE_VERSION",
          `${name} ${p["nova_object.version"]} is not compatible with ${version}`,
          path,
        );
      }
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p["nova_object.data"])) if (!(k in fields)) extra[k] = v;
      const value = decodeFields(p["nova_object.data"], path);
      setMeta(value, { version: p["nova_object.version"], changes: p["nova_object.changes"], extra });
      return value;
    },
  };
}

/** An ObjectListBase class (InstanceList, ComputeNodeList, ...): data is `{objects: [...]}`. */
export interface ObjectListCodec<T> extends NestedCodec<T[]> {
  /** The list class name (`InstanceList`), as sent in `nova_object.name`. */
  readonly name: string;
  /** The list class version this codec speaks. */
  readonly version: string;
  /** The codec of the objects in the list. */
  readonly item: NestedCodec<T>;
}

/** Defines a Nova object list class around its item codec. */
export function defineObjectList<T>(name: string, version: string, item: NestedCodec<T>): ObjectListCodec<T> {
  const valueSchema = z.array(item.valueSchema);
  return {
    name,
    version,
    item,
    valueSchema,
    toPrimitive(value) {
      const meta = objectMeta(value);
      const primitive: NovaObjectPrimitive = {
        "nova_object.name": name,
        "nova_object.namespace": NOVA_NAMESPACE,
        "nova_object.version": meta?.version || version,
        "nova_object.data": { ...(meta?.extra ?? {}), objects: value.map((o) => item.toPrimitive(o)) },
      };
      if (meta?.changes && meta.changes.length > 0) primitive["nova_object.changes"] = [...meta.changes];
      return primitive;
    },
    fromPrimitive(raw, path = name) {
      if (!isNovaObjectPrimitive(raw))
        throw new WireFormatError("INVALID_PRIMITIVE", "not a Nova object primitive", path);
      const p = raw;
      if (p["nova_object.name"] !== name || p["nova_object.namespace"] !== NOVA_NAMESPACE) {
        throw new WireFormatError("WRONG_OBJECT", `expected ${name}, got ${p["nova_object.name"]}`, path);
      }
      if (major(p["nova_object.version"]) !== major(version)) {
        throw new WireFormatError("INCOMPATIBLE_VERSION", `${name} ${p["nova_object.version"]}`, path);
      }
      const { objects, ...extra } = p["nova_object.data"];
      const items = z.array(z.unknown()).safeParse(objects);
      if (!items.success)
        throw new WireFormatError("INVALID_FIELD", "objects must be a list", `${path}.objects`);
      const value = items.data.map((o, i) => item.fromPrimitive(o, `${path}.objects[${i}]`));
      setMeta(value, { version: p["nova_object.version"], changes: p["nova_object.changes"], extra });
      return value;
    },
  };
}
