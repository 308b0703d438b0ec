import { ConfigError } from "./config-error.js";

/** The options of one INI section; an option given several times keeps every value (oslo's MultiStrOpt). */
export type IniSection = Map<string, string[]>;

/** A parsed nova.conf-style file: sections by name, in file order. */
export interface IniDocument {
  /** The path it was read from, named in parse errors. */
  file: string;
  /**
   * Sections by name (`DEFAULT`, `database`, ...), each option with every value the file gives it, in order.
   */
  sections: Map<string, IniSection>;
}

/**
 * Parses INI text as oslo.config does: `[section]`, `key = value` or `key: value` (the first of the two
 * separators wins), `#` and `;` comment lines, indented continuation lines joined with newlines, a blank line
 * ends a value, and one pair of matching quotes around a value is removed.
 */
export function parseIni(text: string, file = "<string>"): IniDocument {
  const sections = new Map<string, IniSection>();
  let section: IniSection | undefined;
  let key: string | undefined;
  let value: string[] = [];
  const fail = (lineno: number, line: string, why: string): never => {
    throw new ConfigError("CONFIG_FILE", `${file}:${lineno}: ${why}: ${JSON.stringify(line)}`);
  };
  const flush = (lineno: number, line: string) => {
    if (key === undefined) return;
    if (!section) fail(lineno, line, "Option outside of any section");
    const values = section?.get(key) ?? [];
    values.push(value.join("\n"));
    section?.set(key, values);
    key = undefined;
    value = [];
  };

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineno = i + 1;
    const line = raw.trimEnd();
    if (line === "") {
      flush(lineno, line);
      return;
    }
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (key === undefined) fail(lineno, line, "Unexpected continuation line");
      value.push(line.trimStart());
      return;
    }
    flush(lineno, line);
    if (line.startsWith("[")) {
      if (!line.endsWith("]")) fail(lineno, line, "Invalid section (must end with ])");
      if (line.length <= 2) fail(lineno, line, "Empty section name");
      const name = line.slice(1, -1);
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      return;
    }
    if (line.startsWith("#") || line.startsWith(";")) return;
    const colon = line.indexOf(":");
    const equal = line.indexOf("=");
    if (colon < 0 && equal < 0) fail(lineno, line, "No ':' or '=' found in assignment");
    const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    const k = line.slice(0, at).trim();
    let v = line.slice(at + 1).trim();
    if (v.length >= 2 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
    if (!k) fail(lineno, line, "Key cannot be empty");
    key = k;
    value = [v];
  });
  flush(lines.length, "");
  return { file, sections };
}
