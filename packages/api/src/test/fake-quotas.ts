import {
  checkInstanceQuota,
  configuredQuotaDefaults,
  DEFAULT_QUOTA_CLASS,
  effectiveQuotaLimits,
  isQuotaSetResource,
  metadataQuotaProblem,
  overrideQuotaLimits,
  QUOTA_SET_RESOURCES,
  type QuotaLimits,
  type QuotaRows,
  type QuotaSetResource,
  quotaLimitProblem,
  settableQuotaRange,
} from "@nova/objects";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import type { QuotaUsageSet } from "../quota-backend.js";

/** What the fake backend counts for a project (or one of its users). */
export type FakeUsageCounter = (
  projectId: string,
  userId?: string,
) => Partial<Record<QuotaSetResource, number>>;

/** Quota limits of the fake backend, in memory, with Nova's rules (the same ones the real backend uses). */
export class FakeQuotas {
  /** The `[quota]` defaults; tests may replace them. */
  configured: QuotaLimits = configuredQuotaDefaults();
  private readonly classes = new Map<string, QuotaRows>();
  private readonly projects = new Map<string, QuotaRows>();
  private readonly users = new Map<string, Map<string, QuotaRows>>();

  constructor(private readonly count: FakeUsageCounter) {}

  /** Effective limits of a project or a project user. */
  limits(projectId: string, userId: string | null): QuotaLimits {
    return effectiveQuotaLimits(this.configured, {
      defaultClass: this.classes.get(DEFAULT_QUOTA_CLASS) ?? {},
      project: this.projects.get(projectId) ?? {},
      ...(userId !== null ? { user: this.users.get(projectId)?.get(userId) ?? {} } : {}),
    });
  }

  /** Limits with usage (key pairs and group members report 0, as Nova's `_get_usages`). */
  usage(projectId: string, userId: string | null): QuotaUsageSet {
    const limits = this.limits(projectId, userId);
    const used = this.count(projectId, userId ?? undefined);
    return Object.fromEntries(
      QUOTA_SET_RESOURCES.map((r) => [
        r,
        { limit: limits[r], inUse: r === "key_pairs" || r === "server_group_members" ? 0 : (used[r] ?? 0) },
      ]),
    ) as QuotaUsageSet;
  }

  /** A class's limits. */
  classLimits(className: string): QuotaLimits {
    return overrideQuotaLimits(this.configured, this.classes.get(className) ?? {});
  }

  /** Sets a class's limits. */
  setClass(className: string, limits: QuotaRows): QuotaLimits {
    this.classes.set(className, { ...this.classes.get(className), ...known(limits) });
    return this.classLimits(className);
  }

  /** Nova's quota-sets update: the settable ranges unless forced, then every value. */
  update(projectId: string, userId: string | null, asked: QuotaRows, force: boolean): QuotaLimits {
    const limits = known(asked);
    if (!force) {
      const project = this.limits(projectId, null);
      const used = this.usage(projectId, userId);
      const userRows = userId !== null ? (this.users.get(projectId)?.get(userId) ?? {}) : {};
      for (const [resource, value] of Object.entries(limits)) {
        if (value === undefined || !isQuotaSetResource(resource)) continue;
        const others = [...(this.users.get(projectId)?.values() ?? [])].flatMap((rows) =>
          rows[resource] !== undefined ? [rows[resource]] : [],
        );
        const range = settableQuotaRange({
          projectLimit: project[resource],
          userLimitsInProject: others,
          inUse: used[resource].inUse,
          userLimit: userRows[resource],
          forUser: userId !== null,
        });
        const problem = quotaLimitProblem(resource, value, range);
        if (problem !== undefined) throw new InvalidRequestError(problem);
      }
    }
    if (userId === null) this.projects.set(projectId, { ...this.projects.get(projectId), ...limits });
    else {
      const users = this.users.get(projectId) ?? new Map<string, QuotaRows>();
      users.set(userId, { ...users.get(userId), ...limits });
      this.users.set(projectId, users);
    }
    return this.limits(projectId, userId);
  }

  /** Removes a project's limits (and its users'), or one user's. */
  delete(projectId: string, userId: string | null): void {
    if (userId === null) {
      this.projects.delete(projectId);
      this.users.delete(projectId);
    } else this.users.get(projectId)?.delete(userId);
  }

  /** The metadata items check of a metadata update. */
  checkMetadata(projectId: string, userId: string, count: number): void {
    const problem = metadataQuotaProblem(count, this.limits(projectId, userId).metadata_items);
    if (problem !== undefined) throw new QuotaExceededError(problem);
  }

  /** The boot checks: metadata items, then instances/cores/ram; returns how many servers may be built. */
  checkBoot(
    projectId: string,
    userId: string,
    boot: { vcpus: number; memoryMb: number; minCount: number; maxCount: number; metadataItems: number },
  ): number {
    const userLimits = this.limits(projectId, userId);
    const metadata = metadataQuotaProblem(boot.metadataItems, userLimits.metadata_items);
    if (metadata !== undefined) throw new QuotaExceededError(metadata);
    const used = (u?: string) => {
      const c = this.count(projectId, u);
      return { instances: c.instances ?? 0, cores: c.cores ?? 0, ram: c.ram ?? 0 };
    };
    const scopes = [{ limits: this.limits(projectId, null), used: used() }];
    const rows = this.users.get(projectId)?.get(userId) ?? {};
    if (["instances", "cores", "ram"].some((r) => rows[r] !== undefined)) {
      scopes.push({ limits: userLimits, used: used(userId) });
    }
    const outcome = checkInstanceQuota(scopes, boot, boot.minCount, boot.maxCount);
    if ("message" in outcome) throw new QuotaExceededError(outcome.message);
    return outcome.count;
  }
}

function known(rows: QuotaRows): QuotaRows {
  return Object.fromEntries(
    Object.entries(rows).filter(([r, v]) => v !== undefined && isQuotaSetResource(r)),
  );
}
