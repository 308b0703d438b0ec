import type { RequestContext } from "./request-context.js";

/** A server group's placement rule. */
export type ServerGroupPolicy = "affinity" | "anti-affinity" | "soft-affinity" | "soft-anti-affinity";

/** A server group (Nova's InstanceGroup) as the API shows it. */
export interface ServerGroupRecord {
  /** The group's id (Nova's uuid). */
  uuid: string;
  /** Display name. */
  name: string;
  /** The placement policy. */
  policy: ServerGroupPolicy;
  /** Policy rules: only anti-affinity's `max_server_per_host`. */
  rules: { max_server_per_host?: number };
  /** The uuids of its servers that are not deleted. */
  members: string[];
  /** Owning project. */
  projectId: string;
  /** Creating user. */
  userId: string;
}

/** What `POST /os-server-groups` asks the backend to create. */
export interface ServerGroupCreateSpec {
  /** Display name. */
  name: string;
  /** The placement policy. */
  policy: ServerGroupPolicy;
  /** Rules (anti-affinity only). */
  rules: { max_server_per_host?: number };
}

/** A server group list query (Nova's `common.limited` offset paging over groups by id). */
export interface ServerGroupQuery {
  /** Only this project's groups; undefined for every project (admin `all_projects`). */
  projectId?: string;
  /** The most groups to return. */
  limit: number;
  /** Groups to skip. */
  offset: number;
}

/** os-server-groups: what the API needs from the backend. */
export interface ServerGroupBackend {
  /**
   * Creates a group owned by the caller's project and user after the project's `server_groups` quota check
   * (rechecked once created). Throws QuotaExceededError.
   */
  createServerGroup(ctx: RequestContext, spec: ServerGroupCreateSpec): Promise<ServerGroupRecord>;
  /** Groups by id, offset paged. */
  listServerGroups(ctx: RequestContext, query: ServerGroupQuery): Promise<ServerGroupRecord[]>;
  /** One group, whatever its project (the API applies the policy); ServerGroupNotFoundError if none. */
  getServerGroup(ctx: RequestContext, uuid: string): Promise<ServerGroupRecord>;
  /** Deletes a group and its memberships; ServerGroupNotFoundError if none. */
  deleteServerGroup(ctx: RequestContext, uuid: string): Promise<void>;
}
