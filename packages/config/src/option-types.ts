import { booleanInput, listInput, numberInput } from "@nova/core";
import { z } from "zod";

// Values arrive as strings (INI, environment) or as typed values (code, tests); @nova/core's preprocessors read
// the strings by oslo.config's rules, so these builders and the libraries' own schemas accept the same spellings.

/** A string option (oslo's StrOpt) with a default. */
export const str = (def: string) => z.string().default(def);

/** An optional string option (no default). */
export const optStr = () => z.string().optional();

/** An integer option, as oslo's IntOpt, with optional bounds. */
export const int = (def: number, bounds: { min?: number; max?: number } = {}) => {
  let n = z.number().int();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  if (bounds.max !== undefined) n = n.max(bounds.max);
  return z.preprocess(numberInput, n).default(def);
};

/** A float option, as oslo's FloatOpt, with an optional lower bound. */
export const float = (def: number, bounds: { min?: number } = {}) => {
  let n = z.number();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  return z.preprocess(numberInput, n).default(def);
};

/**
 * A duration in whole seconds, as Nova's interval and timeout options (IntOpt in seconds) are; the value stays
 * in seconds, and services turn it into milliseconds where they set a timer.
 */
export const seconds = (def: number, bounds: { min?: number } = {}) => int(def, bounds);

/** A boolean option: true/1/on/yes and false/0/off/no in any case, nothing else (oslo's BoolOpt). */
export const bool = (def: boolean) => z.preprocess(booleanInput, z.boolean()).default(def);

/** A comma-separated list option, as oslo's ListOpt. */
export const list = (def: string[]) => z.preprocess(listInput, z.array(z.string())).default(def);

/** An option with a fixed set of choices (oslo's `choices=`). */
export const choice = <const T extends readonly [string, ...string[]]>(choices: T, def: T[number]) =>
  z.enum(choices as unknown as { [K in T[number]]: K }).default(def as T[number] & {});

/**
 * A `key:value,key:value` option of numbers, as oslo's DictOpt with a number value type; a value that is not a
 * number (or not at least `min`) is refused naming the option.
 */
export const numberDict = (bounds: { min?: number } = {}) =>
  z
    .preprocess(
      (raw) => {
        if (typeof raw !== "string") return raw;
        const out: Record<string, unknown> = {};
        for (const item of raw.split(",")) {
          if (item.trim() === "") continue;
          const at = item.indexOf(":");
          if (at < 0) return item; // not key:value; the schema below refuses it
          out[item.slice(0, at).trim()] = numberInput(item.slice(at + 1).trim());
        }
        return out;
      },
      z.record(z.string().min(1), bounds.min === undefined ? z.number() : z.number().min(bounds.min)),
    )
    .default({});
