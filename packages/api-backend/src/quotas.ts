import {
  InvalidRequestError,
  MarkerNotFoundError,
  QuotaExceededError,
  type QuotaUsageSet,
  type UsageQuery,
  type UsageServer,
} from "@nova/api";
import { hasErrorCode, ReadCoalescer } from "@nova/core";
import type { ApiDatabase, CellDatabase, QuotaRowSet } from "@nova/db";
import {
  checkInstanceQuota,
  type InstanceQuotaResource,
  type InstanceQuotaScope,
  isQuotaSetResource,
  metadataQuotaProblem,
  QUOTA_SET_RESOURCES,
  type QuotaLimits,
  type QuotaRows,
  type QuotaSetResource,
  quotaLimitProblem,
  settableQuotaRange,
} from "@nova/objects";

/** What quota counting reads: the API database and the cells' instances. */
export interface QuotaDeps {
  /** Limits, build requests, server groups. */
  apiDb: ApiDatabase;
  /** The cell's instances. */
  cellDb: CellDatabase;
  /** cell0's instances (builds that failed to schedule), when a separate database. */
  cell0Db?: CellDatabase | undefined;
  /**
   * Counts a project's (or user's) instances in every cell that answers in time, cell0 included, skipping down
   * cells as Nova does; when given, replaces counting in `cellDb` and `cell0Db`.
   */
  countInCells?: ((projectId: string, userId?: string) => Promise<InstanceCounts[]>) | undefined;
  /** Collapses identical concurrent reads (limits and counts of one project while boots arrive together). */
  reads?: ReadCoalescer | undefined;
}

type InstanceCounts = Record<InstanceQuotaResource, number>;

/**
 * Nova's quota engine over our databases (DbQuotaDriver with counted usage): limits from the quota
 * repository, usage counted from the cells (and build requests, not yet in a cell), the checks Nova makes
 * when servers are booted and when limits are set.
 */
export class Quotas {
  /** Quotas over the API and cell databases. */
  constructor(private readonly deps: QuotaDeps) {
    this.reads = deps.reads ?? new ReadCoalescer();
  }

  private readonly reads: ReadCoalescer;

  /** Servers, cores and RAM of a project (or one of its users): in the cell, in cell0, and pending builds. */
  countInstances(projectId: string, userId?: string): Promise<Readonly<InstanceCounts>> {
    return this.reads.read(`instance-counts:${projectId}:${userId ?? ""}`, () =>
      this.readInstanceCounts(projectId, userId),
    );
  }

  private async readInstanceCounts(projectId: string, userId?: string): Promise<InstanceCounts> {
    const { apiDb, cellDb, cell0Db, countInCells } = this.deps;
    const [pending, ...inCells] = await Promise.all([
      apiDb.buildRequests.pendingUsage(projectId, userId),
      ...(countInCells
        ? [countInCells(projectId, userId)]
        : [
            cellDb.instances.countUsage(projectId, userId),
            ...(cell0Db ? [cell0Db.instances.countUsage(projectId, userId)] : []),
          ]),
    ]);
    const counts = [pending, ...inCells.flat()];
    const used = { instances: 0, cores: 0, ram: 0 };
    for (const c of counts) {
      used.instances += c.instances;
      used.cores += c.cores;
      used.ram += c.ram;
    }
    return used;
  }

  /**
   * Nova's `_get_usages`: instances, cores, RAM and server groups counted; key pairs and server group members
   * are per-user resources reported as 0; absolute resources have no usage.
   */
  async countUsage(projectId: string, userId?: string): Promise<Record<QuotaSetResource, number>> {
    const [instances, groups] = await Promise.all([
      this.countInstances(projectId, userId),
      this.deps.apiDb.serverGroups.count(projectId),
    ]);
    const usage = Object.fromEntries(QUOTA_SET_RESOURCES.map((r) => [r, 0])) as Record<
      QuotaSetResource,
      number
    >;
    return { ...usage, ...instances, server_groups: groups };
  }

  /** Effective limits of a project or a project user. */
  limits(projectId: string, userId: string | null): Promise<QuotaLimits> {
    return this.deps.apiDb.quotas.getLimits(projectId, userId ?? undefined);
  }

  /** Effective limits with usage. */
  async usage(projectId: string, userId: string | null): Promise<QuotaUsageSet> {
    const [limits, used] = await Promise.all([
      this.limits(projectId, userId),
      this.countUsage(projectId, userId ?? undefined),
    ]);
    return Object.fromEntries(
      QUOTA_SET_RESOURCES.map((r) => [r, { limit: limits[r], inUse: used[r] }]),
    ) as QuotaUsageSet;
  }

  /**
   * Nova's quota-sets update: unless forced, each value must lie in its settable range (checked for all
   * before any is written, as Nova's two passes); then every value is written.
   */
  async update(
    projectId: string,
    userId: string | null,
    asked: QuotaRows,
    force: boolean,
  ): Promise<QuotaLimits> {
    const { quotas } = this.deps.apiDb;
    const limits: QuotaRows = {};
    for (const [resource, value] of Object.entries(asked))
      if (isQuotaSetResource(resource)) limits[resource] = value;
    if (!force) {
      const [rows, used] = await Promise.all([
        quotas.getRows(projectId, userId ?? undefined),
        this.countUsage(projectId, userId ?? undefined),
      ]);
      const problem = this.firstProblem(rows, used, limits, userId !== null);
      if (problem !== undefined) throw new InvalidRequestError(problem);
    }
    await quotas.setLimits(projectId, limits, userId ?? undefined);
    return this.limits(projectId, userId);
  }

  private firstProblem(
    rows: QuotaRowSet,
    used: Record<QuotaSetResource, number>,
    limits: QuotaRows,
    forUser: boolean,
  ): string | undefined {
    const project = this.deps.apiDb.quotas.limitsFrom(rows, false);
    for (const [resource, value] of Object.entries(limits)) {
      if (value === undefined || !isQuotaSetResource(resource)) continue;
      const range = settableQuotaRange({
        projectLimit: project[resource],
        userLimitsInProject: rows.usersInProject[resource] ?? [],
        // Nova counts neither key pairs nor group members when limits are set.
        inUse: resource === "key_pairs" || resource === "server_group_members" ? 0 : used[resource],
        userLimit: rows.user[resource],
        forUser,
      });
      const problem = quotaLimitProblem(resource, value, range);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  /** Removes a project's limits (and its users'), or one user's. */
  async delete(projectId: string, userId: string | null): Promise<void> {
    if (userId === null) await this.deps.apiDb.quotas.deleteProject(projectId);
    else await this.deps.apiDb.quotas.deleteUser(projectId, userId);
  }

  /** Sets a quota class's limits (known resources only) and answers its limits. */
  async updateClass(className: string, asked: QuotaRows): Promise<QuotaLimits> {
    const limits: QuotaRows = {};
    for (const [resource, value] of Object.entries(asked))
      if (isQuotaSetResource(resource)) limits[resource] = value;
    await this.deps.apiDb.quotas.setClassLimits(className, limits);
    return this.deps.apiDb.quotas.getClassLimits(className);
  }

  /**
   * The boot checks (nova.compute.api): the metadata items against `metadata_items`, then Nova's
   * check_num_instances_quota for the project and, when the user has instance limits of its own, the user.
   * Returns how many servers may be built (`maxCount`, or fewer down to `minCount`); throws
   * QuotaExceededError with Nova's message.
   */
  async checkBoot(
    projectId: string,
    userId: string,
    boot: { vcpus: number; memoryMb: number; minCount: number; maxCount: number; metadataItems: number },
  ): Promise<number> {
    const { quotas } = this.deps.apiDb;
    const [rows, projectUsed] = await Promise.all([
      this.reads.read(`quota-rows:${projectId}:${userId}`, () => quotas.getRows(projectId, userId)),
      this.countInstances(projectId),
    ]);
    const userLimits = quotas.limitsFrom(rows, true);
    const metadata = metadataQuotaProblem(boot.metadataItems, userLimits.metadata_items);
    if (metadata !== undefined) throw new QuotaExceededError(metadata);
    const scopes: InstanceQuotaScope[] = [{ limits: quotas.limitsFrom(rows, false), used: projectUsed }];
    if (["instances", "cores", "ram"].some((r) => rows.user[r] !== undefined)) {
      scopes.push({ limits: userLimits, used: await this.countInstances(projectId, userId) });
    }
    const outcome = checkInstanceQuota(scopes, boot, boot.minCount, boot.maxCount);
    if ("message" in outcome) throw new QuotaExceededError(outcome.message);
    return outcome.count;
  }

  /** Nova's `_check_metadata_properties_quota` for a server's metadata (QuotaExceededError when over). */
  async checkMetadataItems(projectId: string, userId: string, count: number): Promise<void> {
    const limits = await this.limits(projectId, userId);
    const problem = metadataQuotaProblem(count, limits.metadata_items);
    if (problem !== undefined) throw new QuotaExceededError(problem);
  }

  /**
   * Nova's usage audit read (get_active_by_window_joined) over the cell: servers launched before `end` and
   * not terminated before `start`, with their flavors.
   */
  async usageServers(query: UsageQuery, cellDb: CellDatabase = this.deps.cellDb): Promise<UsageServer[]> {
    const instances = await cellDb.instances
      .listActiveByWindow(
        {
          begin: query.start,
          end: query.end,
          ...(query.projectId !== null ? { projectId: query.projectId } : {}),
        },
        { limit: query.limit, ...(query.marker !== undefined ? { marker: query.marker } : {}) },
      )
      .catch((err: unknown) => {
        if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(query.marker ?? "");
        throw err;
      });
    return instances.map((i) => ({
      uuid: i.uuid,
      name: i.display_name ?? "",
      projectId: i.project_id ?? "",
      flavor: i.flavor
        ? {
            name: i.flavor.name ?? "",
            memoryMb: i.flavor.memory_mb ?? 0,
            vcpus: i.flavor.vcpus ?? 0,
            rootGb: i.flavor.root_gb ?? 0,
            ephemeralGb: i.flavor.ephemeral_gb ?? 0,
          }
        : null,
      launchedAt: i.launched_at ?? null,
      terminatedAt: i.terminated_at ?? null,
      vmState: i.vm_state ?? "",
    }));
  }
}
