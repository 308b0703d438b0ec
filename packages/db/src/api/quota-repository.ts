import {
  configuredQuotaDefaults,
  DEFAULT_QUOTA_CLASS,
  effectiveQuotaLimits,
  NETWORK_QUOTA_RESOURCES,
  overrideQuotaLimits,
  type QuotaLimits,
  type QuotaResource,
  type QuotaRows,
  type QuotaSetResource,
  type QuotaUsage,
} from "@nova/objects";
import { sql } from "kysely";
import { toSqlDate } from "../column-map.js";
import type { Db, NovaDatabase } from "../nova-database.js";

/** Every stored row that decides a project's (and one user's) limits, read at once. */
export interface QuotaRowSet {
  /** The `default` quota class's rows. */
  defaultClass: QuotaRows;
  /** The project's rows. */
  project: QuotaRows;
  /** The user's rows (empty when no user was asked). */
  user: QuotaRows;
  /** Every user row of the project, per resource (what the project's users were given). */
  usersInProject: Partial<Record<string, number[]>>;
}

/**
 * Quota limits (Nova's DbQuotaDriver storage): `[quota]` defaults, overridden by the `default` quota class,
 * then by a project's rows, then by a project user's rows. Usage is counted by the caller (Nova counts it,
 * it does not store it).
 */
export class QuotaRepository {
  private readonly configured: QuotaLimits;

  /**
   * A repository over the API database; `defaults` are the `[quota]` options (Nova's defaults unless
   * configured).
   */
  constructor(
    private readonly d: NovaDatabase,
    defaults: Partial<Record<QuotaResource, number>> = {},
  ) {
    this.configured = configuredQuotaDefaults(defaults);
  }

  /** Sets a project's (or a project user's) hard limit; -1 is unlimited. */
  setLimit(projectId: string, resource: QuotaSetResource, hardLimit: number, userId?: string): Promise<void> {
    return this.setLimits(projectId, { [resource]: hardLimit }, userId);
  }

  /** Sets several of a project's (or a project user's) hard limits in one transaction. */
  setLimits(projectId: string, limits: QuotaRows, userId?: string): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const table = userId === undefined ? "quotas" : "project_user_quotas";
      for (const [resource, hardLimit] of Object.entries(limits)) {
        if (hardLimit === undefined) continue;
        let update = trx
          .updateTable(table)
          .set({ hard_limit: hardLimit, updated_at: now })
          .where("project_id", "=", projectId)
          .where("resource", "=", resource);
        if (userId !== undefined) update = update.where("user_id", "=", userId);
        const [updated] = await update.execute();
        if (Number(updated?.numUpdatedRows ?? 0) > 0) continue;
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
      }
    }, "Quota");
  }

  /** Removes every limit of a project and of its users (Nova's destroy_all_by_project). */
  deleteProject(projectId: string): Promise<void> {
    return this.d.transaction(async (trx) => {
      await trx.deleteFrom("project_user_quotas").where("project_id", "=", projectId).execute();
      await trx.deleteFrom("quotas").where("project_id", "=", projectId).execute();
    }, "Quota");
  }

  /** Removes a project user's limits (Nova's destroy_all_by_project_and_user). */
  async deleteUser(projectId: string, userId: string): Promise<void> {
    await this.d.run((db) =>
      db
        .deleteFrom("project_user_quotas")
        .where("project_id", "=", projectId)
        .where("user_id", "=", userId)
        .execute(),
    );
  }

  /** A quota class's own rows (only the resources it sets). */
  getClassRows(className: string): Promise<QuotaRows> {
    return this.d.run((db) => classRows(db, className));
  }

  /** Sets a quota class's hard limits in one transaction (Nova's update_class, else create_class). */
  setClassLimits(className: string, limits: QuotaRows): Promise<void> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      for (const [resource, hardLimit] of Object.entries(limits)) {
        if (hardLimit === undefined) continue;
        const [updated] = await trx
          .updateTable("quota_classes")
          .set({ hard_limit: hardLimit, updated_at: now })
          .where("class_name", "=", className)
          .where("resource", "=", resource)
          .execute();
        if (Number(updated?.numUpdatedRows ?? 0) > 0) continue;
        await trx
          .insertInto("quota_classes")
          .values({ class_name: className, resource, hard_limit: hardLimit, created_at: now })
          .execute();
      }
    }, "QuotaClass");
  }

  /** A quota class's limits: the defaults with its rows (Nova's get_class_quotas). */
  async getClassLimits(className: string): Promise<QuotaLimits> {
    return overrideQuotaLimits(this.configured, await this.getClassRows(className));
  }

  /** The defaults every project starts from: `[quota]` overridden by the `default` class (get_defaults). */
  getDefaults(): Promise<QuotaLimits> {
    return this.getClassLimits(DEFAULT_QUOTA_CLASS);
  }

  /** The rows that decide a project's (and a user's) limits, in one round of reads. */
  getRows(projectId: string, userId?: string): Promise<QuotaRowSet> {
    return this.d.run(async (db) => {
      // The three sources in one statement (one round trip per boot's quota check, not three), each row
      // tagged with where it came from.
      const rows = await db
        .selectFrom("quota_classes")
        .select([
          sql<string>`'class'`.as("source"),
          sql<string | null>`NULL`.as("user_id"),
          "resource",
          "hard_limit",
        ])
        .where("class_name", "=", DEFAULT_QUOTA_CLASS)
        .unionAll(
          db
            .selectFrom("quotas")
            .select([
              sql<string>`'project'`.as("source"),
              sql<string | null>`NULL`.as("user_id"),
              "resource",
              "hard_limit",
            ])
            .where("project_id", "=", projectId),
        )
        .unionAll(
          db
            .selectFrom("project_user_quotas")
            .select([sql<string>`'user'`.as("source"), "user_id", "resource", "hard_limit"])
            .where("project_id", "=", projectId),
        )
        .execute();
      const defaultClass: QuotaRows = {};
      const projectRows = rows.filter((r) => r.source === "project");
      const userRows = rows.filter((r) => r.source === "user");
      for (const r of rows) if (r.source === "class") defaultClass[String(r.resource)] = Number(r.hard_limit);
      const project: QuotaRows = {};
      for (const r of projectRows) project[String(r.resource)] = Number(r.hard_limit);
      const user: QuotaRows = {};
      const usersInProject: Partial<Record<string, number[]>> = {};
      for (const r of userRows) {
        const resource = String(r.resource);
        const given = usersInProject[resource] ?? [];
        given.push(Number(r.hard_limit));
        usersInProject[resource] = given;
        if (userId !== undefined && r.user_id === userId) user[resource] = Number(r.hard_limit);
      }
      return { defaultClass, project, user, usersInProject };
    });
  }

  /** Effective limits: defaults, the `default` class, the project's rows, then the user's. */
  async getLimits(projectId: string, userId?: string): Promise<QuotaLimits> {
    const rows = await this.getRows(projectId, userId);
    return this.limitsFrom(rows, userId !== undefined);
  }

  /** Effective limits from rows read with {@link getRows}; `forUser` applies the user's rows. */
  limitsFrom(rows: QuotaRowSet, forUser: boolean): QuotaLimits {
    return effectiveQuotaLimits(this.configured, {
      defaultClass: rows.defaultClass,
      project: rows.project,
      ...(forUser ? { user: rows.user } : {}),
    });
  }

  /** Limits with the usage counted by the caller (Nova counts usage from the databases, it does not store it). */
  async usage(
    projectId: string,
    inUse: Partial<Record<QuotaResource, number>>,
    userId?: string,
  ): Promise<QuotaUsage[]> {
    const limits = await this.getLimits(projectId, userId);
    return (Object.keys(this.configured) as QuotaSetResource[]).flatMap((resource) =>
      isCounted(resource)
        ? [
            {
              project_id: projectId,
              user_id: userId ?? null,
              resource,
              limit: limits[resource],
              in_use: inUse[resource] ?? 0,
            },
          ]
        : [],
    );
  }
}

function isCounted(resource: QuotaSetResource): resource is QuotaResource {
  return !(NETWORK_QUOTA_RESOURCES as readonly string[]).includes(resource);
}

async function classRows(db: Db, className: string): Promise<QuotaRows> {
  const rows = await db
    .selectFrom("quota_classes")
    .select(["resource", "hard_limit"])
    .where("class_name", "=", className)
    .execute();
  const out: QuotaRows = {};
  for (const r of rows) out[String(r.resource)] = Number(r.hard_limit);
  return out;
}
