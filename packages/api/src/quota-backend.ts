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
  /**
   * Nova's `_check_metadata_properties_quota` (server metadata updates): `itemCount` items against the
   * caller's project and user `metadata_items` limit; QuotaExceededError ("Maximum number of metadata items
   * exceeds N") when over.
   */
  checkMetadataQuota(ctx: RequestContext, itemCount: number): Promise<void>;
}

/** A server as a usage audit sees it (Nova's instance with its flavor, deleted ones included). */
export interface UsageServer {
  /** The server's uuid. */
  uuid: string;
  /** Its display name. */
  name: string;
  /** The project that owns it. */
  projectId: string;
  /** Its flavor's name and sizes (null if unknown). */
  flavor: { name: string; memoryMb: number; vcpus: number; rootGb: number; ephemeralGb: number } | null;
  /** When it first became active. */
  launchedAt: Date | null;
  /** When it was deleted. */
  terminatedAt: Date | null;
  /** Its vm_state. */
  vmState: string;
}

/** Which servers a usage audit covers (Nova's get_active_by_window_joined). */
export interface UsageQuery {
  /** Servers not terminated before this. */
  start: Date;
  /** Servers launched before this. */
  end: Date;
  /** One project's, or every project's (null). */
  projectId: string | null;
  /** At most this many servers. */
  limit: number;
  /** The uuid of the last server of the previous page. */
  marker?: string;
}

/** `os-simple-tenant-usage`: the servers whose usage falls in a window. */
export interface UsageBackend {
  /**
   * Servers (deleted ones included) launched before `end` and not terminated before `start`, sorted by
   * project and uuid; MarkerNotFoundError for an unknown marker.
   */
  listUsageServers(ctx: RequestContext, query: UsageQuery): Promise<UsageServer[]>;
}
