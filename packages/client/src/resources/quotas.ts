import { z } from "zod";
import type { CallOptions } from "../http-transport.js";
import {
  type Limits,
  limitsResponseSchema,
  quotaSetDetailSchema,
  quotaSetSchema,
} from "../schemas/limits.js";
import { enc, type ResourceContext } from "./resource-context.js";

/** A project's (or class's) quota: each resource's limit (-1 for none). */
export type QuotaSet = { id?: string } & Record<string, number | string | undefined>;

const quotaSetResponse = z.object({ quota_set: quotaSetSchema });
const quotaSetDetailResponse = z.object({ quota_set: quotaSetDetailSchema });
const quotaClassSetResponse = z.object({ quota_class_set: quotaSetSchema });

/** Quotas (`/os-quota-sets`, `/os-quota-class-sets`) and the caller's limits and usage (`/limits`). */
export class QuotasResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `GET /limits`: the caller's absolute limits and usage (an admin may name `tenant_id`). */
  async limits(query: { tenant_id?: string } = {}, call: CallOptions = {}): Promise<Limits> {
    return this.client.parse(
      limitsResponseSchema,
      await this.client.request("GET", "/limits", { ...call, query }),
    ).limits;
  }

  /** `GET /os-quota-sets/{project}` (for one user with `user_id`). */
  async get(projectId: string, query: { user_id?: string } = {}, call: CallOptions = {}): Promise<QuotaSet> {
    const response = await this.client.request("GET", `/os-quota-sets/${enc(projectId)}`, { ...call, query });
    return this.client.parse(quotaSetResponse, response).quota_set as QuotaSet;
  }

  /** `GET /os-quota-sets/{project}/detail`: limit, in use and reserved per resource. */
  async getDetail(projectId: string, query: { user_id?: string } = {}, call: CallOptions = {}) {
    const response = await this.client.request("GET", `/os-quota-sets/${enc(projectId)}/detail`, {
      ...call,
      query,
    });
    return this.client.parse(quotaSetDetailResponse, response).quota_set;
  }

  /** `GET /os-quota-sets/{project}/defaults`. */
  async getDefaults(projectId: string, call: CallOptions = {}): Promise<QuotaSet> {
    const response = await this.client.request("GET", `/os-quota-sets/${enc(projectId)}/defaults`, call);
    return this.client.parse(quotaSetResponse, response).quota_set as QuotaSet;
  }

  /** `PUT /os-quota-sets/{project}` (admin): sets limits; `force` skips the in-use check. */
  async update(
    projectId: string,
    limits: Record<string, number | boolean>,
    query: { user_id?: string } = {},
    call: CallOptions = {},
  ): Promise<QuotaSet> {
    const init = { ...call, query, body: { quota_set: limits } };
    return this.client.parse(
      quotaSetResponse,
      await this.client.request("PUT", `/os-quota-sets/${enc(projectId)}`, init),
    ).quota_set as QuotaSet;
  }

  /** `DELETE /os-quota-sets/{project}`: back to the defaults. */
  async reset(projectId: string, query: { user_id?: string } = {}, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/os-quota-sets/${enc(projectId)}`, { ...call, query });
  }

  /** `GET /os-quota-class-sets/{class}` (`default` is the only class Nova uses). */
  async getClass(name = "default", call: CallOptions = {}): Promise<QuotaSet> {
    const response = await this.client.request("GET", `/os-quota-class-sets/${enc(name)}`, call);
    return this.client.parse(quotaClassSetResponse, response).quota_class_set as QuotaSet;
  }

  /** `PUT /os-quota-class-sets/{class}` (admin). */
  async updateClass(name: string, limits: Record<string, number>, call: CallOptions = {}): Promise<QuotaSet> {
    const init = { ...call, body: { quota_class_set: limits } };
    const response = await this.client.request("PUT", `/os-quota-class-sets/${enc(name)}`, init);
    return this.client.parse(quotaClassSetResponse, response).quota_class_set as QuotaSet;
  }
}
