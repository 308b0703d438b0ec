import { readFileSync } from "node:fs";
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
    const given = raw[group] ?? {};
    const result = schema.safeParse(given);
    if (!result.success) {
      const issue = result.error.issues[0];
      const option = String(issue?.path[0] ?? "?");
      const value = (given as Record<string, unknown>)[option];
      throw new ConfigError(
        "CONFIG_INVALID",
        `Invalid value for option ${option} in group [${group}]: ${issue?.message ?? "invalid"}` +
          (value === undefined ? "" : ` (got ${JSON.stringify(value)})`),
        { group, option },
      );
    }
    out[group] = result.data;
  }
  return out as NovaConfig;
}

/**
 * Validates a library's own group (for example `[filter_scheduler]`) with the library's zod schema, so its
 * errors name the group and option like the rest.
 */
export function parseGroup<T>(
  config: Pick<NovaConfig, "raw">,
  group: string,
  parse: (raw: Record<string, string | string[]>) => T,
): T {
  try {
    return parse(config.raw[group] ?? {});
  } catch (err) {
    const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    const first = issues?.[0];
    if (first) {
      const option = String(first.path[0] ?? "?");
      throw new ConfigError(
        "CONFIG_INVALID",
        `Invalid value for option ${option} in group [${group}]: ${first.message}`,
        {
          group,
          option,
        },
      );
    }
    throw new ConfigError(
      "CONFIG_INVALID",
      `Invalid options in group [${group}]: ${(err as Error).message}`,
      { group },
    );
  }
}
