import type { FieldMap, ObjectCodec } from "@nova/objects";
import { ObjectActionError } from "./errors/object-action-error.js";

/**
 * The `updates` half of an object_action reply, as Nova's conductor computes it: every field of the
 * object after the method whose serialized value differs from what the caller sent (or that the caller
 * did not have), plus `obj_what_changed`, which is empty after a save or create.
 */
export function objectUpdates<F extends FieldMap>(
  codec: ObjectCodec<F>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const encodedAfter = codec.encodeFields(after as never);
  const encodedBefore = codec.encodeFields(before as never);
  const updates: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(encodedAfter)) {
    if (!(key in encodedBefore) || JSON.stringify(encodedBefore[key]) !== JSON.stringify(value)) {
      updates[key] = value;
    }
  }
  updates.obj_what_changed = [];
  return updates;
}

/** Python-style binding of a remotable method's positional `args` and `kwargs` to its parameter names. */
export function bindArguments(
  action: string,
  names: readonly string[],
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  if (args.length > names.length) {
    throw new ObjectActionError(action, `takes at most ${names.length} arguments, got ${args.length}`);
  }
  const bound: Record<string, unknown> = {};
  args.forEach((v, i) => {
    bound[names[i]!] = v;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (!names.includes(k)) throw new ObjectActionError(action, `unexpected keyword argument ${k}`);
    if (k in bound) throw new ObjectActionError(action, `got multiple values for argument ${k}`);
    bound[k] = v;
  }
  return bound;
}

/** A required string argument, or a clear ObjectActionError. */
export function requireString(action: string, bound: Record<string, unknown>, name: string): string {
  const v = bound[name];
  if (typeof v !== "string" || v === "")
    throw new ObjectActionError(action, `${name} must be a non-empty string`);
  return v;
}
