/** A request context as it travels with RPC messages: any JSON object (user_id, project_id, request_id, ...). */
export type RequestContext = Record<string, unknown>;

const PREFIX = "_context_";

/** Flattens the context into `_context_<key>` entries of the message (oslo's `pack_context`). */
export function packContext(message: Record<string, unknown>, ctx: RequestContext): void {
  for (const key of Object.keys(ctx)) {
    const value = ctx[key];
    if (value !== undefined) message[PREFIX + key] = value;
  }
}

/** Takes the `_context_*` keys out of the message and returns them as a context (oslo's `unpack_context`). */
export function unpackContext(message: Record<string, unknown>): RequestContext {
  const ctx: RequestContext = {};
  for (const key of Object.keys(message)) {
    if (key.startsWith(PREFIX)) {
      ctx[key.slice(PREFIX.length)] = message[key];
      delete message[key];
    }
  }
  return ctx;
}
