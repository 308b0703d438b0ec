import type { ApiVersion } from "@nova/client";
import {
  INJECTED_FILE_QUOTA_RESOURCES,
  NETWORK_QUOTA_RESOURCES,
  QUOTA_SET_RESOURCES,
  type QuotaSetResource,
} from "@nova/objects";

// nova/api/openstack/compute/quota_sets.py, quota_classes.py and views/limits.py: which resources a response
// shows at a microversion.

/** The resources `os-quota-sets` shows at `version`: no nova-network ones from 2.36, no personality from 2.57. */
export function quotaSetResources(version: ApiVersion): QuotaSetResource[] {
  const hidden = new Set<string>();
  if (version.atLeast("2.36")) for (const r of NETWORK_QUOTA_RESOURCES) hidden.add(r);
  if (version.atLeast("2.57")) for (const r of INJECTED_FILE_QUOTA_RESOURCES) hidden.add(r);
  return QUOTA_SET_RESOURCES.filter((r) => !hidden.has(r));
}

/**
 * The resources `os-quota-class-sets` shows at `version`: before 2.50 no server group ones (and the
 * nova-network ones), from 2.50 the server group ones without nova-network's, from 2.57 no personality.
 */
export function quotaClassSetResources(version: ApiVersion): QuotaSetResource[] {
  const hidden = new Set<string>();
  if (!version.atLeast("2.50")) {
    hidden.add("server_groups");
    hidden.add("server_group_members");
  } else for (const r of NETWORK_QUOTA_RESOURCES) hidden.add(r);
  if (version.atLeast("2.57")) for (const r of INJECTED_FILE_QUOTA_RESOURCES) hidden.add(r);
  return QUOTA_SET_RESOURCES.filter((r) => !hidden.has(r));
}

/** A `quota_set` (or `quota_class_set`) body: `id` when given, then each shown resource's value. */
export function quotaSetView<T>(
  resources: readonly QuotaSetResource[],
  values: Readonly<Record<QuotaSetResource, T>>,
  id?: string,
): Record<string, T | string> {
  const body: Record<string, T | string> = id !== undefined ? { id } : {};
  for (const r of resources) body[r] = values[r];
  return body;
}

// views/limits.py: each absolute limit's names, and the usage names.
const LIMIT_NAMES: Partial<Record<QuotaSetResource, readonly string[]>> = {
  ram: ["maxTotalRAMSize"],
  instances: ["maxTotalInstances"],
  cores: ["maxTotalCores"],
  key_pairs: ["maxTotalKeypairs"],
  floating_ips: ["maxTotalFloatingIps"],
  metadata_items: ["maxServerMeta", "maxImageMeta"],
  injected_files: ["maxPersonality"],
  injected_file_content_bytes: ["maxPersonalitySize"],
  security_groups: ["maxSecurityGroups"],
  security_group_rules: ["maxSecurityGroupRules"],
  server_groups: ["maxServerGroups"],
  server_group_members: ["maxServerGroupMembers"],
};
const USED_NAMES: Partial<Record<QuotaSetResource, string>> = {
  ram: "totalRAMUsed",
  cores: "totalCoresUsed",
  instances: "totalInstancesUsed",
  floating_ips: "totalFloatingIpsUsed",
  security_groups: "totalSecurityGroupsUsed",
  server_groups: "totalServerGroupsUsed",
};

/**
 * The `/limits` body: absolute limits and usage, without `floating_ips`/`security_groups`/
 * `security_group_rules` from 2.36, `maxImageMeta` from 2.39, the personality limits from 2.57; `rate` is
 * always empty (Nova has no rate limits).
 */
export function limitsView(
  version: ApiVersion,
  quotas: Readonly<Record<QuotaSetResource, { limit: number; inUse: number }>>,
): { limits: { rate: never[]; absolute: Record<string, number> } } {
  const hidden = new Set<string>();
  if (version.atLeast("2.36"))
    for (const r of ["floating_ips", "security_groups", "security_group_rules"]) hidden.add(r);
  if (version.atLeast("2.57"))
    for (const r of ["injected_files", "injected_file_content_bytes"]) hidden.add(r);
  const absolute: Record<string, number> = {};
  for (const resource of QUOTA_SET_RESOURCES) {
    if (hidden.has(resource)) continue;
    for (const name of LIMIT_NAMES[resource] ?? []) {
      if (name === "maxImageMeta" && version.atLeast("2.39")) continue;
      absolute[name] = quotas[resource].limit;
    }
  }
  for (const resource of QUOTA_SET_RESOURCES) {
    const name = USED_NAMES[resource];
    if (name !== undefined && !hidden.has(resource)) absolute[name] = quotas[resource].inUse;
  }
  return { limits: { rate: [], absolute } };
}
