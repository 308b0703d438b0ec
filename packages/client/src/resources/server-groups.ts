import type { CallOptions } from "../http-transport.js";
import {
  listServerGroupsResponseSchema,
  type ServerGroup,
  type ServerGroupListQuery,
  showServerGroupResponseSchema,
} from "../schemas/server-groups.js";
import { enc, type ResourceContext } from "./resource-context.js";

/** Server groups (`/os-server-groups`): affinity and anti-affinity. */
export class ServerGroupsResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `GET /os-server-groups`. */
  async list(query: ServerGroupListQuery = {}, call: CallOptions = {}): Promise<ServerGroup[]> {
    const response = await this.client.request("GET", "/os-server-groups", { ...call, query });
    return this.client.parse(listServerGroupsResponseSchema, response).server_groups;
  }

  /** `GET /os-server-groups/{id}`. */
  async get(id: string, call: CallOptions = {}): Promise<ServerGroup> {
    const response = await this.client.request("GET", `/os-server-groups/${enc(id)}`, call);
    return this.client.parse(showServerGroupResponseSchema, response).server_group;
  }

  /** `POST /os-server-groups`: `policy` (2.64+) or `policies` (before). */
  async create(
    group: { name: string; policy?: string; policies?: string[]; rules?: { max_server_per_host?: number } },
    call: CallOptions = {},
  ): Promise<ServerGroup> {
    const response = await this.client.request("POST", "/os-server-groups", {
      ...call,
      body: { server_group: group },
    });
    return this.client.parse(showServerGroupResponseSchema, response).server_group;
  }

  /** `DELETE /os-server-groups/{id}`. */
  async delete(id: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/os-server-groups/${enc(id)}`, call);
  }
}
