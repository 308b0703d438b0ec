import { HttpFault } from "./http-fault.js";

// oslo.utils strutils.TRUE_STRINGS / FALSE_STRINGS. Nova's API reads query and body booleans with this rule,
// which accepts more than oslo.config's options do (`t`, `y`, `f`, `n`), so it is not @nova/core's parseBoolean.
const TRUE_STRINGS = ["1", "t", "true", "on", "y", "yes"];
const FALSE_STRINGS = ["0", "f", "false", "off", "n", "no"];
const ACCEPTABLE = [...TRUE_STRINGS, ...FALSE_STRINGS]
  .sort()
  .map((s) => `'${s}'`)
  .join(", ");

/**
 * oslo's `strutils.bool_from_string`: a boolean as is; anything else as its string, trimmed and in any case,
 * against oslo's true and false words. Undefined for any other value, where Nova's non-strict callers use
 * their default (`?? false`) and its strict callers answer 400 (see {@link strictBoolFromString}).
 */
export function boolFromString(subject: unknown): boolean | undefined {
  if (typeof subject === "boolean") return subject;
  const lowered = String(subject).trim().toLowerCase();
  if (TRUE_STRINGS.includes(lowered)) return true;
  if (FALSE_STRINGS.includes(lowered)) return false;
  return undefined;
}

/**
 * `bool_from_string(subject, strict=True)` where Nova turns oslo's ValueError into InvalidInput: a 400 with
 * oslo's message, which lists the accepted words.
 */
export function strictBoolFromString(subject: unknown): boolean {
  const value = boolFromString(subject);
  if (value === undefined) {
    throw HttpFault.badRequest(
      `Unrecognized value '${String(subject)}', acceptable values are: ${ACCEPTABLE}`,
    );
  }
  return value;
}
