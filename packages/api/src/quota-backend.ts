import type { QuotaLimits, QuotaRows, QuotaSetResource } from "@nova/objects";
import type { RequestContext } from "./request-context.js";

/** One resource of a detailed quota set: its limit and what the project (or user) uses. */
export interface QuotaDetail {
  /** The effective limit (-1: unlimited). */
  limit: number;
  /** Counted usage (0 for absolute resources, and for key pairs and group members, as Nova). */
  inUse: number;
}

/** A quota set with usage (`os-quota-sets/{id}/detail`, `/limits`). */
export type QuotaUsageSet = Record<QuotaSetResource, QuotaDetail>;

/**
 * Quota limits as Nova's DbQuotaDriver keeps them: `[quota]` defaults, the `default` quota class, a project's
 * limits and a project user's. Policy is the API's; these methods do what they are asked.
 */
export interface QuotaBackend {
  /** A project's (or, with `userId`, a project user's) effective limits. */
  getQuotaLimits(ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaLimits>;
  /** Effective limits with the usage counted now (project-wide, or the user's with `userId`). */
  getQuotaUsage(ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaUsageSet>;
  /** The defaults every project starts from (`[quota]`, overridden by the `default` quota class). */
  getDefaultQuotas(ctx: RequestContext): Promise<QuotaLimits>;
  /**
   * Sets a project's (or a project user's) limits. Unless `force`, each must lie in Nova's settable range (not
   * below usage; a user's not above what the project has left): else InvalidRequestError with Nova's message,
   * and nothing is set. Returns the effective limits afterwards.
   */
  updateQuotas(
    ctx: RequestContext,
    projectId: string,
    userId: string | null,
    limits: QuotaRows,
    force: boolean,
  ): Promise<QuotaLimits>;
  /** Removes a project's limits (and its users'), or one project user's; defaults apply again. */
  deleteQuotas(ctx: RequestContext, projectId: string, userId: string | null): Promise<void>;
  /** A quota class's limits (the defaults with the class's rows). */
  getQuotaClass(ctx: RequestContext, className: string): Promise<QuotaLimits>;
  /** Sets a quota class's limits; returns its limits afterwards. */
  updateQuotaClass(ctx: RequestContext, className: string, limits: QuotaRows): Promise<QuotaLimits>;
}
