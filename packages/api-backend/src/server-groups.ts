import {
  InvalidRequestError,
  QuotaExceededError,
  type RequestContext,
  type ServerGroupCreateSpec,
  ServerGroupNotFoundError,
  type ServerGroupPolicy,
  type ServerGroupQuery,
  type ServerGroupRecord,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, ServerGroupRecord as ServerGroupRow } from "@nova/db";
import type { InstanceGroup } from "@nova/objects";

const TOO_MANY_GROUPS = "Quota exceeded, too many server groups.";
/** Nova's message (no full stop) when a boot would put too many of a user's servers in a group. */
const TOO_MANY_MEMBERS = "Quota exceeded, too many servers in group";

function notFound(uuid: string) {
  return (err: unknown): never => {
    if (hasErrorCode(err, "DB_NOT_FOUND")) throw new ServerGroupNotFoundError(uuid);
    throw err;
  };
}

/** A stored group as the API shows it (rules coerced to integers as Nova's `InstanceGroup.rules`). */
export function serverGroupRecord(row: ServerGroupRow): ServerGroupRecord {
  const max = row._rules.max_server_per_host;
  return {
    uuid: row.uuid,
    name: row.name ?? "",
    policy: (row.policy ?? row.policies?.[0] ?? "affinity") as ServerGroupPolicy,
    rules: max !== undefined ? { max_server_per_host: Number(max) } : {},
    members: [...(row.members ?? [])],
    projectId: row.project_id ?? "",
    userId: row.user_id ?? "",
  };
}

/**
 * Nova's server group API over the API database: groups with the project's `server_groups` quota, and, for
 * a boot with the `group` hint, the group's `server_group_members` quota and its membership.
 */
export class ServerGroups {
  /** Server groups over the API database (groups, members, quotas and instance mappings live there). */
  constructor(private readonly apiDb: ApiDatabase) {}

  /** Quota, the group, then the quota again (Nova's recheck: racing creates cannot both pass). */
  async create(ctx: RequestContext, spec: ServerGroupCreateSpec): Promise<ServerGroupRecord> {
    await this.checkGroupQuota(ctx, 1);
    const rules: Record<string, string> = {};
    if (spec.rules.max_server_per_host !== undefined) {
      rules.max_server_per_host = String(spec.rules.max_server_per_host);
    }
    const row = await this.apiDb.serverGroups.create({
      name: spec.name,
      user_id: ctx.userId,
      project_id: ctx.projectId,
      policy: spec.policy,
      rules,
    });
    try {
      await this.checkGroupQuota(ctx, 0);
    } catch (err) {
      await this.apiDb.serverGroups.delete(row.uuid).catch(() => undefined);
      throw err;
    }
    return serverGroupRecord(row);
  }

  /** Groups by id, offset paged. */
  async list(query: ServerGroupQuery): Promise<ServerGroupRecord[]> {
    const rows = await this.apiDb.serverGroups.list(query.projectId, {
      limit: query.limit,
      offset: query.offset,
    });
    return rows.map(serverGroupRecord);
  }

  /** One group. */
  async get(uuid: string): Promise<ServerGroupRecord> {
    return serverGroupRecord(await this.apiDb.serverGroups.get(uuid).catch(notFound(uuid)));
  }

  /** Deletes a group with its policy and memberships. */
  async delete(uuid: string): Promise<void> {
    await this.apiDb.serverGroups.delete(uuid).catch(notFound(uuid));
  }

  /**
   * The group a boot names in its `group` hint, checked against the user's `server_group_members` quota
   * for `count` more servers (Nova's `_provision_instances`). An unknown group is a 400, as Nova's.
   */
  async forBoot(ctx: RequestContext, hint: string, count: number): Promise<ServerGroupRow> {
    const group = await this.apiDb.serverGroups.get(hint).catch((err: unknown) => {
      if (hasErrorCode(err, "DB_NOT_FOUND")) {
        throw new InvalidRequestError(`Instance group ${hint} could not be found.`);
      }
      throw err;
    });
    await this.checkMemberQuota(ctx, group.uuid, count);
    return group;
  }

  /**
   * Adds the servers of a boot to the group once their mappings exist, then rechecks the quota (racing boots
   * into one group cannot both pass); on failure the memberships just added are removed again.
   */
  async addMembers(ctx: RequestContext, groupUuid: string, instanceUuids: readonly string[]): Promise<void> {
    await this.apiDb.serverGroups.addMembers(groupUuid, instanceUuids);
    try {
      await this.checkMemberQuota(ctx, groupUuid, 0);
    } catch (err) {
      await this.apiDb.serverGroups.removeMembers(groupUuid, instanceUuids).catch(() => undefined);
      throw err;
    }
  }

  /** Removes a deleted server from its group (its slot in the members quota is free again). */
  async removeInstance(instanceUuid: string): Promise<void> {
    await this.apiDb.serverGroups.removeInstance(instanceUuid);
  }

  private async checkGroupQuota(ctx: RequestContext, delta: number): Promise<void> {
    const [limits, used] = await Promise.all([
      this.apiDb.quotas.getLimits(ctx.projectId, ctx.userId),
      this.apiDb.serverGroups.count(ctx.projectId),
    ]);
    if (limits.server_groups >= 0 && used + delta > limits.server_groups) {
      throw new QuotaExceededError(TOO_MANY_GROUPS);
    }
  }

  private async checkMemberQuota(ctx: RequestContext, groupUuid: string, delta: number): Promise<void> {
    const [limits, used] = await Promise.all([
      this.apiDb.quotas.getLimits(ctx.projectId, ctx.userId),
      this.apiDb.serverGroups.countMembersByUser(groupUuid, ctx.userId),
    ]);
    if (limits.server_group_members >= 0 && used + delta > limits.server_group_members) {
      throw new QuotaExceededError(TOO_MANY_MEMBERS);
    }
  }
}

/** The group as a request spec carries it to the scheduler (hosts are filled in by the conductor). */
export function requestSpecGroup(row: ServerGroupRow, members: readonly string[]): InstanceGroup {
  return { ...row, members: [...new Set([...(row.members ?? []), ...members])], hosts: [] };
}
