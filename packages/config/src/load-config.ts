import { readFileSync } from "node:fs";
import { errorMessage } from "@nova/core";
import { ConfigError } from "./config-error.js";
import { type IniDocument, parseIni } from "./ini-file.js";
import { type NovaConfig, novaOptionGroups, type RawConfig } from "./nova-options.js";

/** Where configuration comes from: nova.conf files (later ones win), then `OS_<GROUP>__<OPTION>` variables. */
export interface ConfigSources {
  /** Paths given with `--config-file`, in order. */
  files?: string[];
  /** INI texts given directly (tests, embedded defaults), applied after the files. */
  texts?: string[];
  /** Environment variables; only `OS_<GROUP>__<OPTION>` ones are read, as oslo.config's environment source. */
  env?: Record<string, string | undefined>;
  /** Values set by code (for example the all-in-one's defaults), applied before the files. */
  defaults?: Record<string, Record<string, unknown>>;
}

/** Reads and merges every source into raw group/option values, without validating them. */
export function readRawConfig(sources: ConfigSources): RawConfig {
  const raw: RawConfig = {};
  const set = (group: string, option: string, value: string | string[]) => {
    raw[group] ??= {};
    (raw[group] as Record<string, string | string[]>)[option] = value;
  };
  for (const [group, options] of Object.entries(sources.defaults ?? {})) {
    for (const [option, value] of Object.entries(options)) {
      set(group, option, Array.isArray(value) ? value.map(String) : String(value));
    }
  }
  const docs: IniDocument[] = [];
  for (const file of sources.files ?? []) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError("CONFIG_FILE", `Cannot read config file ${file}: ${(err as Error).message}`);
    }
    docs.push(parseIni(text, file));
  }
  for (const [i, text] of (sources.texts ?? []).entries()) docs.push(parseIni(text, `<text ${i + 1}>`));
  for (const doc of docs) {
    for (const [group, options] of doc.sections) {
      for (const [option, values] of options)
        set(group, option, values.length === 1 ? (values[0] as string) : values);
    }
  }
  for (const [name, value] of Object.entries(sources.env ?? {})) {
    const m = /^OS_([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
    if (!m || value === undefined) continue;
    const groupUpper = m[1] as string;
    // Group names are case-sensitive in files; match the variable to a known or already-given group.
    const group =
      Object.keys(novaOptionGroups).find((g) => g.toUpperCase() === groupUpper) ??
      Object.keys(raw).find((g) => g.toUpperCase() === groupUpper) ??
      groupUpper.toLowerCase();
    set(group, (m[2] as string).toLowerCase(), value);
  }
  return raw;
}

/** Loads and validates nova-ts configuration; an invalid value is a ConfigError naming `[group] option`. */
export function loadNovaConfig(sources: ConfigSources = {}): NovaConfig {
  const raw = readRawConfig(sources);
  const out: Record<string, unknown> = { raw, files: sources.files ?? [] };
  for (const [group, schema] of Object.entries(novaOptionGroups)) {
    out[group] = parseGroup({ raw }, group, (given) => schema.parse(given));
  }
  return out as NovaConfig;
}

/**
 * Validates a library's own group (for example `[filter_scheduler]` or `[database]`) with the library's parser,
 * so its errors are ConfigErrors naming the group and option like the rest. A library reading options of several
 * groups (@nova/messaging: `[DEFAULT]` and `[oslo_messaging_rabbit]`) gets them merged, later groups winning, and
 * an error names the group the option was given in. The parser may throw a zod error, or any error with an
 * `option` (and `group`) field; other errors are reported against the (first) group.
 */
export function parseGroup<T>(
  config: Pick<NovaConfig, "raw">,
  group: string | readonly string[],
  parse: (raw: Record<string, string | string[]>) => T,
): T {
  const groups = typeof group === "string" ? [group] : group;
  const given: Record<string, string | string[]> = Object.assign(
    {},
    ...groups.map((g) => config.raw[g] ?? {}),
  );
  try {
    return parse(given);
  } catch (err) {
    if (ConfigError.isInstance(err)) throw err;
    const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    const named = (err as { option?: unknown }).option;
    const namedGroup = (err as { group?: unknown }).group;
    const path = issues?.[0]?.path ?? [];
    const option = path.length > 0 ? String(path[0]) : typeof named === "string" ? named : undefined;
    const why = issues?.[0]?.message ?? errorMessage(err);
    const first = typeof namedGroup === "string" ? namedGroup : (groups[0] ?? "DEFAULT");
    if (option === undefined) {
      throw new ConfigError("CONFIG_INVALID", `Invalid options in group [${first}]: ${why}`, {
        group: first,
        cause: err,
      });
    }
    const where =
      typeof namedGroup === "string"
        ? namedGroup
        : (groups.findLast((g) => config.raw[g]?.[option] !== undefined) ?? first);
    const value = config.raw[where]?.[option];
    throw new ConfigError(
      "CONFIG_INVALID",
      `Invalid value for option ${option} in group [${where}]: ${why}` +
        (value === undefined ? "" : ` (got ${JSON.stringify(value)})`),
      { group: where, option, cause: err },
    );
  }
}
