import type { NovaObjectPrimitive } from "../wire/primitive.js";

/** Nova's TagList primitive (version 1.1) of these tags, as build requests and the conductor carry it. */
export function tagListPrimitive(tags: readonly string[]): NovaObjectPrimitive {
  return {
    "nova_object.name": "TagList",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.1",
    "nova_object.data": {
      objects: tags.map((tag) => ({
        "nova_object.name": "Tag",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.1",
        "nova_object.data": { tag },
      })),
    },
  };
}

/** The tag names of a TagList primitive; anything else (null, a malformed list) has none. */
export function tagListNames(primitive: unknown): string[] {
  const data = (primitive as { "nova_object.data"?: { objects?: unknown } } | null)?.["nova_object.data"];
  const objects = Array.isArray(data?.objects) ? data.objects : [];
  return objects
    .map((o) => (o as { "nova_object.data"?: { tag?: unknown } })?.["nova_object.data"]?.tag)
    .filter((t): t is string => typeof t === "string");
}
