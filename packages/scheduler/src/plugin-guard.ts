import { type HostFilter, type PreparedFilter, prepareFilter } from "./filters/host-filter.js";
import type { HostState } from "./host-state.js";
import { PluginFailedError } from "./plugin-failed-error.js";
import type { HostWeigher, PreparedWeigher } from "./weighers/host-weigher.js";

// Custom plug-ins run inside the scheduler's loop: one that throws or answers garbage must fail the request it
// serves (as a PluginFailedError naming it), never the scheduler, and never rank hosts on NaN.

/** `filter`, with every call it makes checked: a throw or a non-boolean verdict becomes a PluginFailedError. */
export function guardFilter(filter: HostFilter): HostFilter {
  if (GUARDED.has(filter)) return filter;
  const name = String(filter.name);
  const failed = (problem: string, cause?: unknown) =>
    new PluginFailedError("filter", name, problem, cause === undefined ? {} : { cause });
  const guarded: HostFilter = {
    name,
    ...(filter.runFilterOncePerRequest !== undefined
      ? { runFilterOncePerRequest: filter.runFilterOncePerRequest }
      : {}),
    ...(filter.runOnRebuild !== undefined ? { runOnRebuild: filter.runOnRebuild } : {}),
    ...(filter.verdictStableWithinRequest !== undefined
      ? { verdictStableWithinRequest: filter.verdictStableWithinRequest }
      : {}),
    prepare(request) {
      let prepared: PreparedFilter;
      try {
        prepared = prepareFilter(filter, request);
      } catch (err) {
        throw failed(`prepare threw ${describe(err)}`, err);
      }
      if (typeof prepared !== "object" || prepared === null)
        throw failed("prepare returned no prepared filter");
      const passes = prepared.passes;
      if (passes !== null && typeof passes !== "function")
        throw failed("prepare returned no passes function");
      return {
        ...prepared,
        passes:
          passes &&
          ((host: HostState) => {
            let verdict: unknown;
            try {
              verdict = passes.call(prepared, host);
            } catch (err) {
              throw failed(`threw ${describe(err)} on host ${host.host}`, err);
            }
            if (typeof verdict !== "boolean")
              throw failed(`answered ${typeOf(verdict)} for host ${host.host}, not a boolean`);
            return verdict;
          }),
        reason: (host: HostState) => {
          try {
            return String(prepared.reason(host));
          } catch {
            // The verdict stands; only its wording is lost.
            return `rejected by ${name}`;
          }
        },
      };
    },
  };
  GUARDED.add(guarded);
  return guarded;
}

/** `weigher`, with every call it makes checked: a throw or a weight that is not a finite number becomes a PluginFailedError. */
export function guardWeigher(weigher: HostWeigher): HostWeigher {
  if (GUARDED.has(weigher)) return weigher;
  const name = String(weigher.name);
  const failed = (problem: string, cause?: unknown) =>
    new PluginFailedError("weigher", name, problem, cause === undefined ? {} : { cause });
  const number = (what: string, host: HostState, fn: () => unknown): number => {
    let v: unknown;
    try {
      v = fn();
    } catch (err) {
      throw failed(`${what} threw ${describe(err)} on host ${host.host}`, err);
    }
    if (typeof v !== "number" || !Number.isFinite(v))
      throw failed(`${what} answered ${typeOf(v)} for host ${host.host}, not a finite number`);
    return v;
  };
  const guarded: HostWeigher = {
    name,
    ...(weigher.minval !== undefined ? { minval: weigher.minval } : {}),
    ...(weigher.maxval !== undefined ? { maxval: weigher.maxval } : {}),
    ...(weigher.valueStableWithinRequest !== undefined
      ? { valueStableWithinRequest: weigher.valueStableWithinRequest }
      : {}),
    prepare(request) {
      let prepared: PreparedWeigher;
      try {
        prepared = weigher.prepare(request);
      } catch (err) {
        throw failed(`prepare threw ${describe(err)}`, err);
      }
      if (typeof prepared !== "object" || prepared === null || typeof prepared.value !== "function")
        throw failed("prepare returned no value function");
      if (typeof prepared.multiplier !== "function") throw failed("prepare returned no multiplier function");
      const out: PreparedWeigher = {
        value: (host) => number("value", host, () => prepared.value(host)),
        multiplier: (host) => number("multiplier", host, () => prepared.multiplier(host)),
        ...(prepared.column !== undefined ? { column: prepared.column } : {}),
      };
      return out;
    },
  };
  GUARDED.add(guarded);
  return guarded;
}

const GUARDED = new WeakSet<object>();

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : `${typeOf(err)}`;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") return String(v);
  return typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v;
}
