import { parseArgs } from "node:util";
import type { CommandSpec, OptionSpec } from "./command-spec.js";
import type { OutputFormat } from "./output.js";
import { UsageError } from "./usage-error.js";

/** Options every command takes, before or after the command words. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "os-cloud": { type: "string", value: "NAME", help: "the cloud of clouds.yaml to use (default OS_CLOUD)" },
  "os-compute-api-version": {
    type: "string",
    value: "VERSION",
    help: "the microversion to use, e.g. 2.60 or latest (default OS_COMPUTE_API_VERSION, else negotiated)",
  },
  format: { type: "string", short: "f", value: "FORMAT", help: "table (default) or json" },
  json: { type: "boolean", help: "the same as -f json" },
  "wait-timeout": {
    type: "string",
    value: "SECONDS",
    help: "how long --wait waits before giving up with exit code 3 (default 600)",
  },
  help: { type: "boolean", short: "h", help: "show help and exit" },
};

/** A command line taken apart: the command words, then the rest parsed against the command's options. */
export interface CommandLine {
  /** `["server", "create"]`; fewer when the user gave fewer. */
  words: string[];
  /** The words and options after the command words, not yet parsed. */
  rest: string[];
}

/** The global options' values. */
export interface GlobalValues {
  /** `--os-cloud`. */
  cloud: string | undefined;
  /** `--os-compute-api-version`. */
  microversion: string | undefined;
  /** `-f` / `--json`. */
  format: OutputFormat;
  /** `--wait-timeout`, in milliseconds. */
  waitTimeoutMs: number;
  /** `--help`. */
  help: boolean;
}

/**
 * Finds the command words (`server`, `create`): the first two words that are not options or the values of
 * global options; everything else is left for {@link parseCommandOptions}.
 */
export function splitCommandLine(argv: readonly string[]): CommandLine {
  const words: string[] = [];
  const rest: string[] = [];
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    if (spec.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (words.length === 2 || token === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      words.push(token);
      continue;
    }
    rest.push(token);
    if (takesValue.has(token) && i + 1 < argv.length) rest.push(argv[++i] as string);
  }
  return { words, rest };
}

/** Parses the words after the command against the command's and the global options (strictly). */
export function parseCommandOptions(
  rest: readonly string[],
  spec: Pick<CommandSpec, "resource" | "action" | "args" | "options"> | undefined,
): { positionals: string[]; values: Record<string, string | boolean | string[] | undefined> } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) })) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  const helpFor = spec ? `${spec.resource} ${spec.action}` : "";
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs' ERR_PARSE_ARGS_* messages name the option; drop their advice about "--" (we have none).
    const message = (error as Error).message.split(/\. To specify/)[0] ?? "bad option";
    throw new UsageError(message, helpFor);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) return { positionals: parsed.positionals, values };
  if (spec) checkPositionals(parsed.positionals, spec, helpFor);
  return { positionals: parsed.positionals, values };
}

function checkPositionals(
  positionals: readonly string[],
  spec: Pick<CommandSpec, "args">,
  helpFor: string,
): void {
  const args = spec.args ?? [];
  const required = args.filter((a) => !a.optional).length;
  const variadic = args.some((a) => a.variadic);
  if (positionals.length < required) {
    const missing = args.slice(positionals.length).filter((a) => !a.optional);
    throw new UsageError(`missing argument: ${missing.map((a) => `<${a.name}>`).join(" ")}`, helpFor);
  }
  if (!variadic && positionals.length > args.length) {
    throw new UsageError(`unexpected argument: ${positionals[args.length]}`, helpFor);
  }
}

/** The global options' values, checked: a bad format or wait timeout is a usage error. */
export function globalValues(values: Record<string, string | boolean | string[] | undefined>): GlobalValues {
  const format = values.json ? "json" : ((values.format as string | undefined) ?? "table");
  if (format !== "table" && format !== "json") {
    throw new UsageError(`unknown output format ${format}: use table or json`);
  }
  const waitTimeout = values["wait-timeout"] as string | undefined;
  const seconds = waitTimeout === undefined ? 600 : Number(waitTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--wait-timeout must be a positive number of seconds, got ${waitTimeout}`);
  }
  return {
    cloud: values["os-cloud"] as string | undefined,
    microversion: values["os-compute-api-version"] as string | undefined,
    format,
    waitTimeoutMs: seconds * 1000,
    help: values.help === true,
  };
}

/** `key=value` options (`--property`) as a record; a word without `=` is a usage error. */
export function keyValues(
  list: string[] | undefined,
  option: string,
  helpFor: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${option} takes KEY=VALUE, got ${item}`, helpFor);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A non-negative integer option's value; anything else is a usage error. */
export function integerOption(
  value: string | boolean | string[] | undefined,
  option: string,
  helpFor: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--${option} must be a whole number, got ${String(value)}`, helpFor);
  }
  return n;
}
