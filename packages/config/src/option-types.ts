import { z } from "zod";

// Values arrive as strings (INI, environment) or as typed values (code, tests); these coerce both.

const TRUE = new Set(["true", "1", "yes", "on", "y", "t"]);
const FALSE = new Set(["false", "0", "no", "off", "n", "f"]);

/** A string option. */
export const str = (def: string) => z.string().default(def);

/** An optional string option (no default). */
export const optStr = () => z.string().optional();

/** An integer option, as oslo's IntOpt, with optional bounds. */
export const int = (def: number, bounds: { min?: number; max?: number } = {}) => {
  let n = z.number().int();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  if (bounds.max !== undefined) n = n.max(bounds.max);
  return z
    .preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : v), n)
    .default(def);
};

/** A float option. */
export const float = (def: number, bounds: { min?: number } = {}) => {
  let n = z.number();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  return z
    .preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : v), n)
    .default(def);
};

/** A boolean option: True/False, yes/no, on/off, 1/0 in any case, as oslo's BoolOpt. */
export const bool = (def: boolean) =>
  z
    .preprocess((v) => {
      if (typeof v !== "string") return v;
      const s = v.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      return v;
    }, z.boolean())
    .default(def);

/** A comma-separated list option, as oslo's ListOpt. */
export const list = (def: string[]) =>
  z
    .preprocess(
      (v) =>
        typeof v === "string"
          ? v
              .split(",")
              .map((s) => s.trim())
              .filter((s) => s !== "")
          : v,
      z.array(z.string()),
    )
    .default(def);

/** An option with a fixed set of choices. */
export const choice = <const T extends readonly [string, ...string[]]>(choices: T, def: T[number]) =>
  z.enum(choices).default(def as never);
