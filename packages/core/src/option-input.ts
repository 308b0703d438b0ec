import { parseBoolean } from "./option-values.js";

// Preprocessors for schema libraries (zod's `z.preprocess(booleanInput, z.boolean())`): option values arrive as
// strings from INI files and the environment, or typed from code. A string oslo.config would read is converted
// by oslo.config's rule; anything else passes through unchanged, so the schema reports it with its own message.
// They live here, zod-free, so every package reads an option the same way without depending on @nova/config.

/** A boolean option's input: oslo.config's spellings (see {@link parseBoolean}) become booleans. */
export function booleanInput(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return parseBoolean(value);
  } catch {
    return value;
  }
}

/** A number option's input (IntOpt, FloatOpt, seconds): a non-blank numeric string becomes its number. */
export function numberInput(value: unknown): unknown {
  if (typeof value !== "string" || value.trim() === "") return value;
  const n = Number(value.trim());
  return Number.isNaN(n) ? value : n;
}

/** A list option's input (ListOpt): a comma-separated string becomes its trimmed, non-empty items. */
export function listInput(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
