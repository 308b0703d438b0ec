import { z } from "zod";
import type { CallOptions } from "../http-transport.js";
import {
  type InstanceAction,
  instanceActionSchema,
  listInstanceActionsResponseSchema,
  showInstanceActionResponseSchema,
} from "../schemas/instance-actions.js";
import {
  type CreateServerRequest,
  type CreateServerResponse,
  consoleOutputResponseSchema,
  createServerResponseSchema,
  type ListServersDetailResponse,
  type ListServersResponse,
  listServersDetailResponseSchema,
  listServersResponseSchema,
  type Server,
  type ServerListQuery,
  type ServerSummary,
  serverSchema,
  serverSummarySchema,
  showServerResponseSchema,
} from "../schemas/servers.js";
import { enc, type ResourceContext } from "./resource-context.js";

const metadataResponseSchema = z.object({ metadata: z.record(z.string(), z.string()) });
const metaItemResponseSchema = z.object({ meta: z.record(z.string(), z.string()) });
const tagsResponseSchema = z.object({ tags: z.array(z.string()) });
const updatedServerSchema = z.object({ server: serverSchema });

/** Fields `PUT /servers/{id}` may change (description from 2.19, hostname from 2.90). */
export interface ServerUpdate {
  /** The server's name. */
  name?: string;
  /** IPv4 access address. */
  accessIPv4?: string;
  /** IPv6 access address. */
  accessIPv6?: string;
  /** A free text description (2.19+; null clears it). */
  description?: string | null;
  /** The hostname the guest sees (2.90+). */
  hostname?: string;
}

/** Servers (`/servers`): boot, list, show, update, delete, actions, metadata, tags and instance actions. */
export class ServersResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `POST /servers`: boot a server; answers with its id and links (status is BUILD). */
  async create(
    server: CreateServerRequest["server"],
    hints?: Record<string, unknown>,
    call: CallOptions = {},
  ): Promise<CreateServerResponse["server"]> {
    const body: Record<string, unknown> = { server };
    if (hints) body["os:scheduler_hints"] = hints;
    const response = await this.client.request("POST", "/servers", { ...call, body });
    return this.client.parse(createServerResponseSchema, response).server;
  }

  /** Every server (id, name, links), following `servers_links` page after page. */
  list(query: ServerListQuery = {}, call: CallOptions = {}): AsyncGenerator<ServerSummary, void, undefined> {
    return this.client.iterate("/servers", "servers", serverSummarySchema, query, call);
  }

  /** Every server in detail, page after page. */
  listDetail(query: ServerListQuery = {}, call: CallOptions = {}): AsyncGenerator<Server, void, undefined> {
    return this.client.iterate("/servers/detail", "servers", serverSchema, query, call);
  }

  /** `GET /servers`: one page, with `servers_links`. */
  async listPage(query: ServerListQuery = {}, call: CallOptions = {}): Promise<ListServersResponse> {
    return this.client.parse(
      listServersResponseSchema,
      await this.client.request("GET", "/servers", { ...call, query }),
    );
  }

  /** `GET /servers/detail`: one page, with `servers_links`. */
  async listDetailPage(
    query: ServerListQuery = {},
    call: CallOptions = {},
  ): Promise<ListServersDetailResponse> {
    const response = await this.client.request("GET", "/servers/detail", { ...call, query });
    return this.client.parse(listServersDetailResponseSchema, response);
  }

  /** `GET /servers/{id}`. */
  async get(id: string, call: CallOptions = {}): Promise<Server> {
    const response = await this.client.request("GET", `/servers/${enc(id)}`, call);
    return this.client.parse(showServerResponseSchema, response).server;
  }

  /** `PUT /servers/{id}`: rename, describe, or set access addresses. */
  async update(id: string, server: ServerUpdate, call: CallOptions = {}): Promise<Server> {
    const response = await this.client.request("PUT", `/servers/${enc(id)}`, { ...call, body: { server } });
    return this.client.parse(updatedServerSchema, response).server;
  }

  /** `DELETE /servers/{id}` (204; the server goes away asynchronously). */
  async delete(id: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/servers/${enc(id)}`, call);
  }

  /** `reboot` action, SOFT by default. */
  reboot(id: string, type: "SOFT" | "HARD" = "SOFT", call: CallOptions = {}): Promise<void> {
    return this.action(id, { reboot: { type } }, call);
  }

  /** `os-stop` action. */
  stop(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { "os-stop": null }, call);
  }

  /** `os-start` action. */
  start(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { "os-start": null }, call);
  }

  /** `pause` action. */
  pause(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { pause: null }, call);
  }

  /** `unpause` action. */
  unpause(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { unpause: null }, call);
  }

  /** `suspend` action. */
  suspend(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { suspend: null }, call);
  }

  /** `resume` action. */
  resume(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { resume: null }, call);
  }

  /** `lock` action, with a reason from 2.73. */
  lock(id: string, reason?: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { lock: reason === undefined ? null : { locked_reason: reason } }, call);
  }

  /** `unlock` action. */
  unlock(id: string, call: CallOptions = {}): Promise<void> {
    return this.action(id, { unlock: null }, call);
  }

  /** `os-resetState` action (admin): forces the vm_state to `error` (default) or `active`. */
  resetState(id: string, state: "active" | "error" = "error", call: CallOptions = {}): Promise<void> {
    return this.action(id, { "os-resetState": { state } }, call);
  }

  /** `os-getConsoleOutput` action: the guest's console log, its last `length` lines when given. */
  async getConsoleOutput(id: string, length?: number, call: CallOptions = {}): Promise<string> {
    const body = { "os-getConsoleOutput": length === undefined ? {} : { length } };
    const response = await this.client.request("POST", `/servers/${enc(id)}/action`, { ...call, body });
    return this.client.parse(consoleOutputResponseSchema, response).output;
  }

  /** `POST /servers/{id}/action` with any action body (`{"migrate": null}`, ...), for actions not wrapped here. */
  async action(id: string, body: Record<string, unknown>, call: CallOptions = {}): Promise<void> {
    await this.client.request("POST", `/servers/${enc(id)}/action`, { ...call, body });
  }

  /** `GET /servers/{id}/metadata`. */
  async getMetadata(id: string, call: CallOptions = {}): Promise<Record<string, string>> {
    const response = await this.client.request("GET", `/servers/${enc(id)}/metadata`, call);
    return this.client.parse(metadataResponseSchema, response).metadata;
  }

  /** `POST /servers/{id}/metadata`: adds or changes the given keys, keeps the others; answers the whole set. */
  async updateMetadata(id: string, metadata: Record<string, string>, call: CallOptions = {}) {
    const response = await this.client.request("POST", `/servers/${enc(id)}/metadata`, {
      ...call,
      body: { metadata },
    });
    return this.client.parse(metadataResponseSchema, response).metadata;
  }

  /** `PUT /servers/{id}/metadata`: replaces the whole set. */
  async replaceMetadata(id: string, metadata: Record<string, string>, call: CallOptions = {}) {
    const response = await this.client.request("PUT", `/servers/${enc(id)}/metadata`, {
      ...call,
      body: { metadata },
    });
    return this.client.parse(metadataResponseSchema, response).metadata;
  }

  /** `GET /servers/{id}/metadata/{key}`: one value. */
  async getMetadataItem(id: string, key: string, call: CallOptions = {}): Promise<string> {
    const response = await this.client.request("GET", `/servers/${enc(id)}/metadata/${enc(key)}`, call);
    return this.client.parse(metaItemResponseSchema, response).meta[key] as string;
  }

  /** `PUT /servers/{id}/metadata/{key}`: sets one value. */
  async setMetadataItem(id: string, key: string, value: string, call: CallOptions = {}): Promise<void> {
    const body = { meta: { [key]: value } };
    await this.client.request("PUT", `/servers/${enc(id)}/metadata/${enc(key)}`, { ...call, body });
  }

  /** `DELETE /servers/{id}/metadata/{key}`. */
  async deleteMetadataItem(id: string, key: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/servers/${enc(id)}/metadata/${enc(key)}`, call);
  }

  /** `GET /servers/{id}/tags` (2.26+). */
  async listTags(id: string, call: CallOptions = {}): Promise<string[]> {
    const response = await this.client.request("GET", `/servers/${enc(id)}/tags`, call);
    return this.client.parse(tagsResponseSchema, response).tags;
  }

  /** `PUT /servers/{id}/tags`: replaces every tag. */
  async replaceTags(id: string, tags: readonly string[], call: CallOptions = {}): Promise<string[]> {
    const response = await this.client.request("PUT", `/servers/${enc(id)}/tags`, {
      ...call,
      body: { tags },
    });
    return this.client.parse(tagsResponseSchema, response).tags;
  }

  /** `PUT /servers/{id}/tags/{tag}`: adds one tag. */
  async addTag(id: string, tag: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("PUT", `/servers/${enc(id)}/tags/${enc(tag)}`, call);
  }

  /** `GET /servers/{id}/tags/{tag}`: true when the server has it (404 means not). */
  async hasTag(id: string, tag: string, call: CallOptions = {}): Promise<boolean> {
    try {
      await this.client.request("GET", `/servers/${enc(id)}/tags/${enc(tag)}`, call);
      return true;
    } catch (error) {
      if ((error as { status?: unknown }).status === 404) return false;
      throw error;
    }
  }

  /** `DELETE /servers/{id}/tags/{tag}`. */
  async deleteTag(id: string, tag: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/servers/${enc(id)}/tags/${enc(tag)}`, call);
  }

  /** `DELETE /servers/{id}/tags`: removes every tag. */
  async deleteTags(id: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/servers/${enc(id)}/tags`, call);
  }

  /** Every instance action of a server (`os-instance-actions`), newest first, page after page (2.58+). */
  listActions(
    id: string,
    query: { limit?: number; marker?: string; "changes-since"?: string } = {},
    call: CallOptions = {},
  ) {
    return this.client.iterate(
      `/servers/${enc(id)}/os-instance-actions`,
      "instanceActions",
      instanceActionSchema,
      query,
      call,
      "links",
    ) as AsyncGenerator<InstanceAction, void, undefined>;
  }

  /** `GET /servers/{id}/os-instance-actions` (one page). */
  async listActionsPage(id: string, call: CallOptions = {}): Promise<InstanceAction[]> {
    const response = await this.client.request("GET", `/servers/${enc(id)}/os-instance-actions`, call);
    return this.client.parse(listInstanceActionsResponseSchema, response).instanceActions;
  }

  /** `GET /servers/{id}/os-instance-actions/{request_id}`: one action with its events. */
  async getAction(id: string, requestId: string, call: CallOptions = {}): Promise<InstanceAction> {
    const path = `/servers/${enc(id)}/os-instance-actions/${enc(requestId)}`;
    return this.client.parse(showInstanceActionResponseSchema, await this.client.request("GET", path, call))
      .instanceAction;
  }
}
