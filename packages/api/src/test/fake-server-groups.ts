import { randomUUID } from "node:crypto";
import { DEFAULT_QUOTAS } from "@nova/objects";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { ServerGroupNotFoundError } from "../errors/server-group-not-found.js";
import type { RequestContext } from "../request-context.js";
import type { ServerGroupCreateSpec, ServerGroupQuery, ServerGroupRecord } from "../server-group-backend.js";

/** Server groups of the fake backend, in memory, with Nova's per-project `server_groups` quota. */
export class FakeServerGroups {
  /** The per-project limit (Nova's default 10; -1 unlimited); tests may change it. */
  limit = DEFAULT_QUOTAS.server_groups;
  private readonly groups: ServerGroupRecord[] = [];

  /** Quota, then the group, owned by the caller. */
  create(ctx: RequestContext, spec: ServerGroupCreateSpec): ServerGroupRecord {
    const used = this.groups.filter((g) => g.projectId === ctx.projectId).length;
    if (this.limit >= 0 && used + 1 > this.limit) {
      throw new QuotaExceededError("Quota exceeded, too many server groups.");
    }
    const group: ServerGroupRecord = {
      uuid: randomUUID(),
      name: spec.name,
      policy: spec.policy,
      rules: { ...spec.rules },
      members: [],
      projectId: ctx.projectId,
      userId: ctx.userId,
    };
    this.groups.push(group);
    return structuredClone(group);
  }

  /** Groups in creation order, offset paged. */
  list(query: ServerGroupQuery): ServerGroupRecord[] {
    return this.groups
      .filter((g) => query.projectId === undefined || g.projectId === query.projectId)
      .slice(query.offset, query.offset + query.limit)
      .map((g) => structuredClone(g));
  }

  /** One group. */
  get(uuid: string): ServerGroupRecord {
    const found = this.groups.find((g) => g.uuid === uuid);
    if (!found) throw new ServerGroupNotFoundError(uuid);
    return structuredClone(found);
  }

  /** Deletes one group. */
  delete(uuid: string): void {
    const i = this.groups.findIndex((g) => g.uuid === uuid);
    if (i < 0) throw new ServerGroupNotFoundError(uuid);
    this.groups.splice(i, 1);
  }
}
