import { type HostState, hostAttribute } from "../host-state.js";
import {
  PyFloat,
  PythonSemanticsError,
  parsePythonJson,
  pyCompare,
  pyEquals,
  pyTruthy,
  pyValue,
} from "../python-semantics.js";
import { type HostFilter, PASSES_ALL } from "./host-filter.js";

type Cmd = (args: unknown[]) => unknown;

const compare =
  (ok: (c: number) => boolean): Cmd =>
  (args) =>
    args.length >= 2 && args.slice(1).every((a) => ok(pyCompare(args[0], a)));

const COMMANDS: Record<string, Cmd> = {
  "=": (args) => args.length >= 2 && args.slice(1).every((a) => pyEquals(args[0], a)),
  "<": compare((c) => c < 0),
  ">": compare((c) => c > 0),
  in: (args) => args.length >= 2 && args.slice(1).some((a) => pyEquals(args[0], a)),
  "<=": compare((c) => c <= 0),
  ">=": compare((c) => c >= 0),
  not: (args) => args.map((a) => !pyTruthy(a)),
  or: (args) => args.some(pyTruthy),
  and: (args) => args.every(pyTruthy),
};

// "$name.key" looks up a HostState attribute, then dict keys.
function lookup(s: string, h: HostState): unknown {
  if (!s) return null;
  if (!s.startsWith("$")) return s;
  const path = s.slice(1).split(".");
  let obj: unknown = hostAttribute(h, path[0]!);
  if (obj === undefined || obj === null) return null;
  for (const item of path.slice(1)) {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj) || obj instanceof PyFloat) {
      throw new PythonSemanticsError(`'${typeof obj}' object has no attribute 'get'`);
    }
    obj = (obj as Record<string, unknown>)[item] ?? null;
    if (obj === null) return null;
  }
  return obj;
}

function evaluate(query: unknown, h: HostState): unknown {
  if (!pyTruthy(query)) return true;
  if (!Array.isArray(query)) throw new PythonSemanticsError("JsonFilter query must be a list");
  const cmd = COMMANDS[String(pyValue(query[0]))];
  if (!cmd) throw new PythonSemanticsError(`unknown JsonFilter command ${String(query[0])}`);
  const args: unknown[] = [];
  for (const raw of query.slice(1)) {
    let arg = raw;
    if (Array.isArray(arg)) arg = evaluate(arg, h);
    else if (typeof arg === "string") arg = lookup(arg, h);
    if (arg !== null && arg !== undefined) args.push(arg);
  }
  return cmd(args);
}

/** JsonFilter: the `query` hint, a JSON expression over host state attributes. */
export const jsonFilter: HostFilter = {
  name: "JsonFilter",
  verdictStableWithinRequest: true,
  prepare(req) {
    const q = req.hint("query");
    if (!q || typeof q !== "string") {
      if (q && typeof q !== "string")
        throw new PythonSemanticsError("JsonFilter query must be one JSON string");
      return PASSES_ALL;
    }
    const query = parsePythonJson(q);
    const passes = (h: HostState) => {
      const r = evaluate(query, h);
      return Array.isArray(r) ? r.some(pyTruthy) : pyTruthy(r);
    };
    return { passes, reason: () => `query ${q} is false for the host` };
  },
};
