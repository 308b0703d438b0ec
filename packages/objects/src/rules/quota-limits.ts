import { DEFAULT_QUOTAS, type QuotaResource } from "../objects/quota.js";

// Nova's quota engine (nova/quota.py, DbQuotaDriver) and its instance check (nova/compute/utils.py
// check_num_instances_quota): which resources exist, where a limit comes from, what may be set, and the
// messages of the over-quota errors. Both the API and the services read quotas through these rules.

/** nova-network's quotas: still registered (always -1 unless set), shown and settable before 2.36. */
export const NETWORK_QUOTA_RESOURCES = [
  "fixed_ips",
  "floating_ips",
  "security_groups",
  "security_group_rules",
] as const;

/** The personality quotas, gone from responses and requests from 2.57. */
export const INJECTED_FILE_QUOTA_RESOURCES = [
  "injected_files",
  "injected_file_content_bytes",
  "injected_file_path_bytes",
] as const;

/** Every resource of Nova's `QUOTAS` engine, in its registration order (the order quota sets are built in). */
export const QUOTA_SET_RESOURCES = [
  "instances",
  "cores",
  "ram",
  "metadata_items",
  ...INJECTED_FILE_QUOTA_RESOURCES,
  "key_pairs",
  "server_groups",
  "server_group_members",
  ...NETWORK_QUOTA_RESOURCES,
] as const;

/** One resource of a quota set (the counted and absolute ones, nova-network's included). */
export type QuotaSetResource = (typeof QUOTA_SET_RESOURCES)[number];

/** A limit per resource (-1: unlimited). */
export type QuotaLimits = Record<QuotaSetResource, number>;

/** Stored rows of one scope (a quota class, a project, a project user): only the resources set there. */
export type QuotaRows = Partial<Record<string, number>>;

/** The name of the quota class whose rows override the configured defaults (Nova's `_DEFAULT_QUOTA_NAME`). */
export const DEFAULT_QUOTA_CLASS = "default";

/** Whether `name` is a quota resource Nova registers. */
export function isQuotaSetResource(name: string): name is QuotaSetResource {
  return (QUOTA_SET_RESOURCES as readonly string[]).includes(name);
}

/**
 * `[quota]` options as limits for every resource: nova-network's have no option and are -1, as Nova's
 * AbsoluteResource without a flag.
 */
export function configuredQuotaDefaults(config: Partial<Record<QuotaResource, number>> = {}): QuotaLimits {
  return {
    ...DEFAULT_QUOTAS,
    ...config,
    fixed_ips: -1,
    floating_ips: -1,
    security_groups: -1,
    security_group_rules: -1,
  };
}

/** `base` with each resource `rows` sets replaced. */
export function overrideQuotaLimits(base: QuotaLimits, rows: QuotaRows): QuotaLimits {
  const limits = { ...base };
  for (const resource of QUOTA_SET_RESOURCES) {
    const value = rows[resource];
    if (value !== undefined) limits[resource] = value;
  }
  return limits;
}

/**
 * Nova's effective limits: the configured defaults, overridden by the `default` class rows (get_defaults),
 * then by the project's rows, then (for a user) by the user's rows.
 */
export function effectiveQuotaLimits(
  configured: QuotaLimits,
  rows: { defaultClass: QuotaRows; project: QuotaRows; user?: QuotaRows },
): QuotaLimits {
  const defaults = overrideQuotaLimits(configured, rows.defaultClass);
  const project = overrideQuotaLimits(defaults, rows.project);
  return rows.user ? overrideQuotaLimits(project, rows.user) : project;
}

/** The range a new limit must fall in (Nova's get_settable_quotas entry; -1 maximum: no bound). */
export interface SettableQuotaRange {
  /** The lowest limit that may be set. */
  minimum: number;
  /** The highest limit that may be set (-1: no bound). */
  maximum: number;
}

// Nova's _sub_quota_values / _sum_quota_values: -1 (unlimited) absorbs.
const subLimits = (a: number, b: number) => (a === -1 || b === -1 ? -1 : a - b);
const sumLimits = (a: number, b: number) => (a === -1 || b === -1 ? -1 : a + b);

/**
 * Nova's get_settable_quotas for one resource. A project limit may not go below what is used nor below what
 * its users' own limits add up to; a user's may not go below the user's usage nor above what the project has
 * not given to other users.
 */
export function settableQuotaRange(args: {
  /** The project's effective limit. */
  projectLimit: number;
  /** Every user row of the project for this resource (their hard limits). */
  userLimitsInProject: readonly number[];
  /** Usage counted for the project, or for the user when `userLimit` is given. */
  inUse: number;
  /** For a user's quota: the user's own row, if set (undefined: none). */
  userLimit?: number | undefined;
  /** Whether the range is for a user's quota. */
  forUser: boolean;
}): SettableQuotaRange {
  let remains = args.projectLimit;
  for (const limit of args.userLimitsInProject) remains -= limit;
  if (args.forUser) return { minimum: args.inUse, maximum: sumLimits(remains, args.userLimit ?? 0) };
  return { minimum: Math.max(subLimits(args.projectLimit, remains), args.inUse), maximum: -1 };
}

/** Nova's quota-sets update check (`_validate_quota_limit`): its 400 message, or undefined when valid. */
export function quotaLimitProblem(
  resource: string,
  limit: number,
  range: SettableQuotaRange,
): string | undefined {
  const inf = (v: number) => (v === -1 ? Number.POSITIVE_INFINITY : v);
  if (inf(limit) < inf(range.minimum)) {
    return `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${range.minimum}.`;
  }
  if (inf(limit) > inf(range.maximum)) {
    return `Quota limit ${limit} for ${resource} must be less than or equal to ${range.maximum}.`;
  }
  return undefined;
}

/** The resources one boot counts (Nova's instances/cores/ram deltas). */
export type InstanceQuotaResource = "instances" | "cores" | "ram";

/** A scope's instance limits and usage (the project's, or a user's when the user has limits of its own). */
export interface InstanceQuotaScope {
  /** The scope's limits (-1: unlimited). */
  limits: Record<InstanceQuotaResource, number>;
  /** What the scope already uses. */
  used: Record<InstanceQuotaResource, number>;
}

/** The outcome of an instance quota check: how many servers may be built, or Nova's TooManyInstances message. */
export type InstanceQuotaOutcome = { count: number } | { message: string };

const INSTANCE_RESOURCES: readonly InstanceQuotaResource[] = ["instances", "cores", "ram"];

/**
 * Nova's check_num_instances_quota: `maxCount` servers of a flavor (`vcpus`, `memoryMb`) if every scope has
 * room; else as many as fit when that is at least `minCount`; else TooManyInstances' message ("Quota exceeded
 * for cores: Requested 4, but already used 18 of 20 cores"), naming every resource over its limit.
 */
export function checkInstanceQuota(
  scopes: readonly InstanceQuotaScope[],
  flavor: { vcpus: number; memoryMb: number },
  minCount: number,
  maxCount: number,
): InstanceQuotaOutcome {
  const deltas = { instances: maxCount, cores: maxCount * flavor.vcpus, ram: maxCount * flavor.memoryMb };
  const failing = scopes.find((s) => overs(s, deltas).length > 0);
  if (!failing) return { count: maxCount };
  const over = overs(failing, deltas);
  const headroom = instanceHeadroom(failing, deltas);
  let allowed = headroom.instances;
  if (flavor.vcpus) allowed = Math.min(allowed, Math.floor(headroom.cores / flavor.vcpus));
  if (flavor.memoryMb) allowed = Math.min(allowed, Math.floor(headroom.ram / flavor.memoryMb));
  if (allowed > 0 && minCount <= allowed && allowed <= maxCount) {
    return checkInstanceQuota(scopes, flavor, minCount, allowed);
  }
  const requested = {
    instances: minCount === maxCount ? String(minCount) : `${minCount}-${maxCount}`,
    cores: String(deltas.cores),
    ram: String(deltas.ram),
  };
  const names = over.join(", ");
  const reqs = over.map((r) => requested[r]).join(", ");
  const used = over.map((r) => String(failing.limits[r] - headroom[r])).join(", ");
  const limits = over.map((r) => String(failing.limits[r])).join(", ");
  return {
    message: `Quota exceeded for ${names}: Requested ${reqs}, but already used ${used} of ${limits} ${names}`,
  };
}

function overs(
  scope: InstanceQuotaScope,
  deltas: Record<InstanceQuotaResource, number>,
): InstanceQuotaResource[] {
  return INSTANCE_RESOURCES.filter(
    (r) => scope.limits[r] >= 0 && scope.used[r] + deltas[r] > scope.limits[r],
  );
}

// Nova's get_headroom: an unlimited cores or ram follows the instances headroom.
function instanceHeadroom(
  { limits, used }: InstanceQuotaScope,
  deltas: Record<InstanceQuotaResource, number>,
): Record<InstanceQuotaResource, number> {
  const headroom = {
    instances: limits.instances - used.instances,
    cores: limits.cores - used.cores,
    ram: limits.ram - used.ram,
  };
  for (const r of ["cores", "ram"] as const) {
    if (limits[r] === -1) {
      headroom[r] = deltas[r]
        ? (headroom.instances * deltas[r]) / (deltas.instances || 1)
        : headroom.instances;
    }
  }
  return headroom;
}

/** Nova's MetadataLimitExceeded message when `count` metadata items exceed `limit`, else undefined. */
export function metadataQuotaProblem(count: number, limit: number): string | undefined {
  return limit >= 0 && count > limit ? `Maximum number of metadata items exceeds ${limit}` : undefined;
}
