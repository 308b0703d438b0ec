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

/** True when a JSON value has the shape of a Nova object primitive. */
export function isNovaObjectPrimitive(value: unknown): value is NovaObjectPrimitive {
  return novaObjectPrimitiveSchema.safeParse(value).success;
}
