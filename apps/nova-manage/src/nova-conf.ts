import { readFileSync } from "node:fs";

/** A parsed nova.conf: section name -> option -> value (later files override earlier ones, as oslo.config). */
export type NovaConf = Record<string, Record<string, string>>;

/** Reads INI-style configuration files the way oslo.config does for the options nova-manage needs. */
export function readNovaConf(paths: readonly string[]): NovaConf {
  const conf: NovaConf = {};
  for (const path of paths) {
    let section = "DEFAULT";
    for (const raw of readFileSync(path, "utf8").split(/\r?\n/)) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
      const header = /^\[([^\]]+)\]$/.exec(line);
      if (header) {
        section = header[1]?.trim() ?? "DEFAULT";
        continue;
      }
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const options = conf[section] ?? {};
      options[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      conf[section] = options;
    }
  }
  return conf;
}
