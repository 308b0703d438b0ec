import { z } from "zod";

/** The namespace every Nova object carries; receivers reject any other. */
export const NOVA_NAMESPACE = "nova";

/** A Nova versioned object as it travels over RPC (oslo.versionedobjects primitive). */
export interface NovaObjectPrimitive {
  /** The object class name (`Instance`). */
  "nova_object.name": string;
  /** Always `nova`. */
  "nova_object.namespace": string;
  /** The sender's version of the class (`major.minor`); a receiver accepts any version of the same major. */
  "nova_object.version": string;
  /** The fields that are set, each in its wire form. */
  "nova_object.data": Record<string, unknown>;
  /** The fields changed since the object was loaded (what a `save()` would write). */
  "nova_object.changes"?: string[];
}

/** Zod schema of the primitive envelope (the data is checked by each object's codec). */
export const novaObjectPrimitiveSchema = z.object({
  "nova_object.name": z.string(),
  "nova_object.namespace": z.string(),
  "nova_object.version": z.string().regex(/^\d+\.\d+$/),
  "nova_object.data": z.record(z.string(), z.unknown()),
  "nova_object.changes": z.array(z.string()).optional(),
});

const VERSION = /^\d+\.\d+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * True when a JSON value has the shape of a Nova object primitive: the schema's checks, written out because
 * every object on every RPC and every instance row read passes here, and the schema copies the data to check it.
 */
export function isNovaObjectPrimitive(value: unknown): value is NovaObjectPrimitive {
  if (!isRecord(value)) return false;
  const version = value["nova_object.version"];
  const changes = value["nova_object.changes"];
  return (
    typeof value["nova_object.name"] === "string" &&
    typeof value["nova_object.namespace"] === "string" &&
    typeof version === "string" &&
    VERSION.test(version) &&
    isRecord(value["nova_object.data"]) &&
    (changes === undefined || (Array.isArray(changes) && changes.every((c) => typeof c === "string")))
  );
}
