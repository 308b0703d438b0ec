import { translatePythonRegex } from "@nova/core";
import { HttpFault } from "./http-fault.js";
import { pythonRepr } from "./python-repr.js";

// Query strings are validated by Nova with JSON schema over lists of strings; these helpers give the same
// answers and messages for the parameters this API reads.

/** The last value of a repeated parameter (webob's `GET[name]`), or undefined. */
export function lastValue(query: URLSearchParams, name: string): string | undefined {
  const all = query.getAll(name);
  return all.length > 0 ? all[all.length - 1] : undefined;
}

/** Nova's message for an invalid query parameter value. */
export function invalidQuery(name: string, value: string, why: string): HttpFault {
  return HttpFault.badRequest(`Invalid input for query parameters ${name}. Value: ${value}. ${why}`);
}

/** Every value of `name` must be a non-negative integer written in digits (Nova's `non_negative_integer`). */
export function checkNonNegativeInteger(query: URLSearchParams, name: string): void {
  for (const value of query.getAll(name)) {
    if (value.length === 0) throw invalidQuery(name, value, `${pythonRepr(value)} is too short`);
    if (!/^[0-9]*$/.test(value))
      throw invalidQuery(name, value, `${pythonRepr(value)} does not match '^[0-9]*$'`);
  }
}

/** Every value of `name` must be one of `allowed`. */
export function checkEnum(query: URLSearchParams, name: string, allowed: readonly string[]): void {
  for (const value of query.getAll(name)) {
    if (!allowed.includes(value)) {
      throw invalidQuery(name, value, `${pythonRepr(value)} is not one of ${pythonRepr(allowed)}`);
    }
  }
}

/** Every value of `name` must be an ISO 8601 date-time (RFC 3339, as jsonschema's `date-time`). */
export function checkDateTime(query: URLSearchParams, name: string): void {
  for (const value of query.getAll(name)) {
    if (parseDateTime(value) === undefined) {
      throw invalidQuery(name, value, `${pythonRepr(value)} is not a 'date-time'`);
    }
  }
}

/** Every value of `name` must compile as a Python regular expression (Nova's `regex` format: re.compile). */
export function checkRegex(query: URLSearchParams, name: string): void {
  for (const value of query.getAll(name)) {
    try {
      translatePythonRegex(value);
    } catch {
      throw invalidQuery(name, value, `${pythonRepr(value)} is not a 'regex'`);
    }
  }
}

/** Rejects parameters outside `known` as Nova does from 2.75 (where additionalProperties is false). */
export function checkNoUnknown(
  query: URLSearchParams,
  known: ReadonlySet<string>,
  internalPattern = false,
): void {
  for (const name of query.keys()) {
    if (known.has(name)) continue;
    if (internalPattern && name.startsWith("_")) continue;
    throw HttpFault.badRequest(
      internalPattern
        ? `${pythonRepr(name)} does not match any of the regexes: '^_'`
        : `Additional properties are not allowed (${pythonRepr(name)} was unexpected)`,
    );
  }
}

/** Parses an RFC 3339 date-time (zone required, as jsonschema requires); undefined when invalid. */
export function parseDateTime(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(
    value,
  );
  if (!match) return undefined;
  const date = new Date(value.replace(" ", "T"));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
