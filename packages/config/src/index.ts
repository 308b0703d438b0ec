export { ConfigError } from "./config-error.js";
export { type IniDocument, type IniSection, parseIni } from "./ini-file.js";
export { type ConfigSources, loadNovaConfig, parseGroup, readRawConfig } from "./load-config.js";
export { type NovaConfig, novaOptionGroups, type RawConfig } from "./nova-options.js";
/** Option builders (str, int, float, seconds, bool, list, choice) that read INI strings by oslo.config's rules. */
export * as opt from "./option-types.js";
