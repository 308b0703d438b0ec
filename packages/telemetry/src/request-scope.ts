import { AsyncLocalStorage } from "node:async_hooks";

/** The ids a piece of work runs under: Nova's `request_id` and `global_request_id`. */
export interface RequestIds {
  /** `req-<uuid>` of the request being served. */
  request_id?: string;
  /** The request id of the first service in the chain (the API's, in nova-ts). */
  global_request_id?: string;
}

/**
 * Which request the running code works for, carried across awaits (AsyncLocalStorage), so that every log line
 * a service writes while serving it names it, without passing the ids to every logger call. One per process,
 * shared by the logger (its mixin) and the observers that enter it (RPC dispatch, API requests).
 */
export class RequestScope {
  private readonly storage = new AsyncLocalStorage<RequestIds>();

  /** Runs `fn` with `ids` as the current request. */
  run<T>(ids: RequestIds, fn: () => T): T {
    return this.storage.run(ids, fn);
  }

  /** The current request's ids, or undefined outside any. */
  current(): RequestIds | undefined {
    return this.storage.getStore();
  }

  /** A pino `mixin`: the current request's ids, added to every log line. */
  readonly logMixin = (): object => this.storage.getStore() ?? {};
}

/** The ids of an RPC request context (`_context_request_id`, `_context_global_request_id`), when present. */
export function requestIdsOf(context: Record<string, unknown>): RequestIds {
  const ids: RequestIds = {};
  if (typeof context.request_id === "string") ids.request_id = context.request_id;
  if (typeof context.global_request_id === "string") ids.global_request_id = context.global_request_id;
  return ids;
}
