import type { RequestContext } from "../wire/request-context.js";

/** One RPC method: gets the caller's context and keyword arguments, returns a JSON-able result. */
// biome-ignore lint/suspicious/noExplicitAny: arguments arrive as JSON; each endpoint validates its own.
export type EndpointMethod = (ctx: RequestContext, args: any) => unknown;

/**
 * A set of methods served under one namespace and version (a Nova manager, say). Endpoints are tried in order;
 * the first whose namespace equals the request's and whose version is compatible serves it.
 */
export interface RpcEndpoint {
  /** Requests must name this namespace (absent = requests without one). */
  namespace?: string;
  /** The version implemented, `X.Y`; absent means `1.0`, as in oslo. */
  version?: string;
  /** The methods, by RPC name. */
  methods: Record<string, EndpointMethod>;
}
