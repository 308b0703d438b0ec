export { ConfigError } from "./config-error.js";
export { type IniDocument, type IniSection, parseIni } from "./ini-file.js";
export { type ConfigSources, loadNovaConfig, parseGroup, readRawConfig } from "./load-config.js";
export { type NovaConfig, novaOptionGroups, type RawConfig } from "./nova-options.js";
/** Option builders (string, int, float, bool, list, choice) that accept INI strings, for libraries' own groups. */
export * as opt from "./option-types.js";
