import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { booleanParam, integer } from "./parameter-types.js";

// Nova's os-quota-sets and os-quota-class-sets request schemas (nova/api/openstack/compute/schemas/
// quota_sets.py, quota_classes.py).

/** Nova's `common_quota`: an integer from -1 to 2^31-1, or a string of one (bounds apply to integers only). */
export const quotaLimitParam = z.union([integer().min(-1).max(0x7fffffff), z.string().regex(/^-?[0-9]+$/)]);

const NETWORK = ["fixed_ips", "floating_ips", "security_groups", "security_group_rules", "networks"] as const;
const INJECTED = ["injected_files", "injected_file_content_bytes", "injected_file_path_bytes"] as const;
const ALL = [
  "instances",
  "cores",
  "ram",
  "floating_ips",
  "fixed_ips",
  "metadata_items",
  "key_pairs",
  "security_groups",
  "security_group_rules",
  ...INJECTED,
  "server_groups",
  "server_group_members",
  "networks",
] as const;

function limitsObject(without: readonly string[], extra: Record<string, z.ZodType> = {}) {
  const shape: Record<string, z.ZodType> = {};
  for (const name of ALL) if (!without.includes(name)) shape[name] = quotaLimitParam.optional();
  return z.strictObject({ ...shape, ...extra });
}

const force = { force: booleanParam.optional() };

/** `PUT /os-quota-sets/{id}` at 2.1 (`networks` passes the schema; the API then refuses it). */
export const updateQuotaSetRequestSchemaV21 = z.strictObject({ quota_set: limitsObject([], force) });
/** 2.36: no nova-network quotas. */
export const updateQuotaSetRequestSchemaV236 = z.strictObject({ quota_set: limitsObject(NETWORK, force) });
/** 2.57: no personality quotas either. */
export const updateQuotaSetRequestSchemaV257 = z.strictObject({
  quota_set: limitsObject([...NETWORK, ...INJECTED], force),
});

/** The quota set update schema Nova applies at `version`. */
export function updateQuotaSetRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.57")) return updateQuotaSetRequestSchemaV257;
  if (version.atLeast("2.36")) return updateQuotaSetRequestSchemaV236;
  return updateQuotaSetRequestSchemaV21;
}

/** `PUT /os-quota-class-sets/{id}` at 2.1. */
export const updateQuotaClassSetRequestSchemaV21 = z.strictObject({ quota_class_set: limitsObject([]) });
/** 2.50: no nova-network quotas. */
export const updateQuotaClassSetRequestSchemaV250 = z.strictObject({
  quota_class_set: limitsObject(NETWORK),
});
/** 2.57: no personality quotas either. */
export const updateQuotaClassSetRequestSchemaV257 = z.strictObject({
  quota_class_set: limitsObject([...NETWORK, ...INJECTED]),
});

/** The quota class set update schema Nova applies at `version`. */
export function updateQuotaClassSetRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.57")) return updateQuotaClassSetRequestSchemaV257;
  if (version.atLeast("2.50")) return updateQuotaClassSetRequestSchemaV250;
  return updateQuotaClassSetRequestSchemaV21;
}
