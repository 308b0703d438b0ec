import { NovaError } from "./nova-error.js";

/** A configuration value that oslo.config would refuse. */
export class InvalidOptionValue extends NovaError {
  /** Builds the error with a message naming the option and the rejected value. */
  constructor(message: string) {
    super("CONFIG_INVALID_VALUE", message);
  }
}

// oslo.config's types.Boolean: exactly these, in any case; anything else is an error, not false.
const TRUE_VALUES = new Set(["true", "1", "on", "yes"]);
const FALSE_VALUES = new Set(["false", "0", "off", "no"]);

/** Reads a boolean as oslo.config's BoolOpt does: true/1/on/yes and false/0/off/no, in any case. */
export function parseBoolean(value: string | boolean): boolean {
  if (typeof value === "boolean") return value;
  const s = value.trim().toLowerCase();
  if (TRUE_VALUES.has(s)) return true;
  if (FALSE_VALUES.has(s)) return false;
  throw new InvalidOptionValue(`Unexpected boolean value '${value}'`);
}

/**
 * Reads a duration written in seconds, as Nova's interval and timeout options are (IntOpt or FloatOpt in
 * seconds), and returns milliseconds. Fractions are kept; anything not a finite number is an error.
 */
export function parseSecondsToMs(value: string | number): number {
  const n = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value.trim());
  if (!Number.isFinite(n)) throw new InvalidOptionValue(`Unexpected number of seconds '${value}'`);
  return Math.round(n * 1000);
}
