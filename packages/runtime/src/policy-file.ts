import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PolicyEnforcer } from "@nova/api";
import { ConfigError, type NovaConfig } from "@nova/config";
import { parse as parseYaml } from "yaml";

/**
 * Where a relative `policy_file` is looked for, first match wins, as oslo.config's `find_file`: the directories
 * of the config files (the last given first), then `~/.nova`, `~`, `/etc/nova`, `/etc`.
 */
export function policySearchDirs(configFiles: readonly string[]): string[] {
  const home = homedir();
  return [
    ...[...configFiles].reverse().map((f) => dirname(resolve(f))),
    join(home, ".nova"),
    home,
    "/etc/nova",
    "/etc",
  ];
}

/** The policy file in effect: its path, or undefined when the default file is nowhere (no overrides then). */
export function findPolicyFile(
  config: Pick<NovaConfig, "oslo_policy" | "raw" | "files">,
  searchDirs: readonly string[] = policySearchDirs(config.files),
): string | undefined {
  const name = config.oslo_policy.policy_file;
  const path = isAbsolute(name) ? name : searchDirs.map((d) => join(d, name)).find((p) => existsSync(p));
  if (path !== undefined && existsSync(path)) return path;
  // oslo.policy only logs a missing file; we stop at start when the operator named one, since a policy file
  // that silently fails to apply would leave the defaults in force without anyone noticing.
  const explicit = config.raw.oslo_policy?.policy_file ?? config.raw.DEFAULT?.policy_file;
  if (explicit !== undefined) {
    throw new ConfigError("CONFIG_FILE", `The policy file ${name} could not be found.`, {
      group: "oslo_policy",
      option: "policy_file",
    });
  }
  return undefined;
}

/**
 * Reads a policy file: a YAML (or JSON, which YAML reads too) mapping of rule name to oslo.policy check string.
 * An empty file sets no rule.
 */
export function readPolicyFile(path: string): Record<string, string> {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError("CONFIG_FILE", `Cannot read policy file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError("CONFIG_FILE", `Policy file ${path} is not a mapping of rule names to rules.`);
  }
  const rules: Record<string, string> = {};
  for (const [name, rule] of Object.entries(data)) {
    if (typeof rule !== "string") {
      throw new ConfigError("CONFIG_FILE", `Policy file ${path}: rule ${name} is not a string.`);
    }
    rules[name] = rule;
  }
  return rules;
}

/** nova-api's PolicyEnforcer from `[oslo_policy]`: Zed's defaults, the policy file's rules over them. */
export function loadPolicy(
  config: Pick<NovaConfig, "oslo_policy" | "raw" | "files">,
  searchDirs?: readonly string[],
): PolicyEnforcer {
  const path = findPolicyFile(config, searchDirs);
  return new PolicyEnforcer(path === undefined ? {} : readPolicyFile(path), {
    enforceNewDefaults: config.oslo_policy.enforce_new_defaults,
    enforceScope: config.oslo_policy.enforce_scope,
  });
}
