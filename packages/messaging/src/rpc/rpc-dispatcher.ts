import { NoSuchMethod, UnsupportedVersion } from "../errors/dispatch-errors.js";
import type { EndpointMethod, RpcEndpoint } from "./rpc-endpoint.js";
import { isVersionCompatible } from "./rpc-version.js";

/** An incoming request reduced to what dispatch needs. */
export interface DispatchRequest {
  /** The method name. */
  method: string;
  /** The keyword arguments. */
  args: Record<string, unknown>;
  /** The namespace asked for, if any. */
  namespace: string | undefined;
  /** The version asked for, if any. */
  version: string | undefined;
}

/**
 * Finds the method serving a request, by oslo's rules: the first endpoint with the same namespace and a
 * compatible version (same major, minor not lower) that has the method. A compatible endpoint without the
 * method means NoSuchMethod; no compatible endpoint, UnsupportedVersion.
 */
export function findMethod(endpoints: readonly RpcEndpoint[], request: DispatchRequest): EndpointMethod {
  const version = request.version ?? "1.0";
  let foundCompatible = false;
  for (const endpoint of endpoints) {
    if (endpoint.namespace !== request.namespace) continue;
    if (!isVersionCompatible(endpoint.version ?? "1.0", version)) continue;
    if (Object.hasOwn(endpoint.methods, request.method)) {
      const fn = endpoint.methods[request.method];
      if (typeof fn === "function") return fn.bind(endpoint.methods);
    }
    foundCompatible = true;
  }
  if (foundCompatible) throw new NoSuchMethod(request.method);
  throw new UnsupportedVersion(version, request.method);
}
