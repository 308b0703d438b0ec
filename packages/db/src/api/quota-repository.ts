import { DEFAULT_QUOTAS, type QuotaResource, type QuotaUsage } from "@nova/objects";
import { toSqlDate } from "../column-map.js";
import type { NovaDatabase } from "../nova-database.js";

/** Quota limits per project (and per user within a project), over Nova's defaults. */
export class QuotaRepository {
  /**
   * A repository over the API database; `defaults` are the limits of a project with no row (Nova's `[quota]`
   * defaults).
   */
  constructor(
    private readonly d: NovaDatabase,
    private readonly defaults: Readonly<Record<QuotaResource, number>> = DEFAULT_QUOTAS,
  ) {}

  /** Sets a project's (or a project user's) hard limit; -1 is unlimited. */
  setLimit(projectId: string, resource: QuotaResource, hardLimit: number, userId?: string): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const table = userId === undefined ? "quotas" : "project_user_quotas";
      let del = trx.deleteFrom(table).where("project_id", "=", projectId).where("resource", "=", resource);
      if (userId !== undefined) del = del.where("user_id", "=", userId);
      await del.execute();
      await trx
        .insertInto(table)
        .values({
          project_id: projectId,
          resource,
          hard_limit: hardLimit,
          created_at: now,
          ...(userId !== undefined ? { user_id: userId } : {}),
        })
        .execute();
    }, "Quota");
  }

  /** Effective limits: defaults, overridden by the project's, overridden by the user's. */
  getLimits(projectId: string, userId?: string): Promise<Record<QuotaResource, number>> {
    return this.d.run(async (db) => {
      const limits: Record<QuotaResource, number> = { ...this.defaults };
      const rows = await db
        .selectFrom("quotas")
        .select(["resource", "hard_limit"])
        .where("project_id", "=", projectId)
        .execute();
      for (const r of rows)
        if (String(r.resource) in limits) limits[r.resource as QuotaResource] = Number(r.hard_limit);
      if (userId !== undefined) {
        const urows = await db
          .selectFrom("project_user_quotas")
          .select(["resource", "hard_limit"])
          .where("project_id", "=", projectId)
          .where("user_id", "=", userId)
          .execute();
        for (const r of urows)
          if (String(r.resource) in limits) limits[r.resource as QuotaResource] = Number(r.hard_limit);
      }
      return limits;
    });
  }

  /** Limits with the usage counted by the caller (Nova counts usage from the databases, it does not store it). */
  async usage(
    projectId: string,
    inUse: Partial<Record<QuotaResource, number>>,
    userId?: string,
  ): Promise<QuotaUsage[]> {
    const limits = await this.getLimits(projectId, userId);
    return (Object.keys(limits) as QuotaResource[]).map((resource) => ({
      project_id: projectId,
      user_id: userId ?? null,
      resource,
      limit: limits[resource],
      in_use: inUse[resource] ?? 0,
    }));
  }
}
