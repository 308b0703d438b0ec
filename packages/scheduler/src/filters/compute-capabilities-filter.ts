import { matchExtraSpec } from "../extra-specs-ops.js";
import {
  FLOAT_ATTRIBUTES,
  HOST_STATE_ATTRIBUTES,
  type HostState,
  hostAttribute,
  OPAQUE,
} from "../host-state.js";
import { PyFloat, parsePythonJson, pyStr } from "../python-semantics.js";
import { type HostFilter, PASSES_ALL } from "./host-filter.js";

const MISSING = Symbol("missing");

// Nova's _get_capabilities: walk the scope through attributes (falling back to stats), dicts and JSON text.
function capability(h: HostState, scope: readonly string[]): unknown {
  let cap: unknown = h;
  for (const part of scope) {
    if (typeof cap === "string") {
      try {
        cap = parsePythonJson(cap);
      } catch {
        return MISSING;
      }
    }
    if (cap === h) {
      const attr = hostAttribute(h, part);
      if (attr === undefined || attr === null) cap = h.stats[part] ?? null;
      else cap = FLOAT_ATTRIBUTES.has(part) ? new PyFloat(attr as number) : attr;
    } else if (cap !== null && typeof cap === "object" && !Array.isArray(cap) && !(cap instanceof PyFloat)) {
      cap = (cap as Record<string, unknown>)[part] ?? null;
    } else {
      // getattr on a non-dict value finds nothing, then `.stats` raises AttributeError.
      return MISSING;
    }
    // A Python object that is not a dict (service, metrics) has no sub-keys and no useful str().
    if (cap === null || cap === OPAQUE) return MISSING;
  }
  return cap;
}

/** ComputeCapabilitiesFilter: flavor extra specs without scope or with `capabilities:` against host state. */
export const computeCapabilitiesFilter: HostFilter = {
  name: "ComputeCapabilitiesFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const specs = Object.entries(req.spec.flavor.extra_specs ?? {});
    const relevant: Array<{ key: string; scope: string[]; req: string; unscoped: boolean }> = [];
    for (const [key, value] of specs) {
      const scope = key.split(":");
      if (scope.length === 1) relevant.push({ key, scope, req: value, unscoped: true });
      else if (scope[0] === "capabilities")
        relevant.push({ key, scope: scope.slice(1), req: value, unscoped: false });
    }
    if (relevant.length === 0) return PASSES_ALL;
    const failing = (h: HostState): string | null => {
      for (const r of relevant) {
        if (r.unscoped && !HOST_STATE_ATTRIBUTES.has(r.key) && !(r.key in h.stats)) continue;
        const cap = capability(h, r.scope);
        if (cap === MISSING) return `capability ${r.key} not found on host`;
        const text = pyStr(cap);
        if (!matchExtraSpec(text, r.req)) return `extra spec ${r.key}='${r.req}' does not match '${text}'`;
      }
      return null;
    };
    return { passes: (h) => failing(h) === null, reason: (h) => failing(h) ?? "" };
  },
};
