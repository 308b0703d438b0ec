import { z } from "zod";
import type { CallOptions } from "../http-transport.js";
import type { CreateFlavorRequest } from "../schemas/flavor-manage.js";
import {
  type Flavor,
  type FlavorListQuery,
  type FlavorSummary,
  flavorSchema,
  flavorSummarySchema,
  listFlavorsDetailResponseSchema,
  listFlavorsResponseSchema,
  showFlavorResponseSchema,
} from "../schemas/flavors.js";
import { enc, type ResourceContext } from "./resource-context.js";

const extraSpecsResponseSchema = z.object({ extra_specs: z.record(z.string(), z.string()) });
const extraSpecItemSchema = z.record(z.string(), z.string());
/** One project allowed to use a private flavor. */
export interface FlavorAccess {
  /** The flavor's id. */
  flavor_id: string;
  /** The project's id. */
  tenant_id: string;
}
const flavorAccessResponseSchema = z.object({
  flavor_access: z.array(z.object({ flavor_id: z.string(), tenant_id: z.string() })),
});

/** Flavors (`/flavors`): list, show, create, update, delete, extra specs and access lists. */
export class FlavorsResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** Every flavor (id, name, links), page after page. */
  list(query: FlavorListQuery = {}, call: CallOptions = {}): AsyncGenerator<FlavorSummary, void, undefined> {
    return this.client.iterate("/flavors", "flavors", flavorSummarySchema, query, call);
  }

  /** Every flavor in detail, page after page. */
  listDetail(query: FlavorListQuery = {}, call: CallOptions = {}): AsyncGenerator<Flavor, void, undefined> {
    return this.client.iterate("/flavors/detail", "flavors", flavorSchema, query, call);
  }

  /** `GET /flavors`: one page. */
  async listPage(query: FlavorListQuery = {}, call: CallOptions = {}) {
    return this.client.parse(
      listFlavorsResponseSchema,
      await this.client.request("GET", "/flavors", { ...call, query }),
    );
  }

  /** `GET /flavors/detail`: one page. */
  async listDetailPage(query: FlavorListQuery = {}, call: CallOptions = {}) {
    const response = await this.client.request("GET", "/flavors/detail", { ...call, query });
    return this.client.parse(listFlavorsDetailResponseSchema, response);
  }

  /** `GET /flavors/{id}`. */
  async get(id: string, call: CallOptions = {}): Promise<Flavor> {
    return this.client.parse(
      showFlavorResponseSchema,
      await this.client.request("GET", `/flavors/${enc(id)}`, call),
    ).flavor;
  }

  /** `POST /flavors` (admin). */
  async create(flavor: CreateFlavorRequest["flavor"], call: CallOptions = {}): Promise<Flavor> {
    const response = await this.client.request("POST", "/flavors", { ...call, body: { flavor } });
    return this.client.parse(showFlavorResponseSchema, response).flavor;
  }

  /** `PUT /flavors/{id}`: only the description may change (2.55+). */
  async update(id: string, description: string | null, call: CallOptions = {}): Promise<Flavor> {
    const body = { flavor: { description } };
    return this.client.parse(
      showFlavorResponseSchema,
      await this.client.request("PUT", `/flavors/${enc(id)}`, { ...call, body }),
    ).flavor;
  }

  /** `DELETE /flavors/{id}` (admin). */
  async delete(id: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/flavors/${enc(id)}`, call);
  }

  /** `GET /flavors/{id}/os-extra_specs`. */
  async getExtraSpecs(id: string, call: CallOptions = {}): Promise<Record<string, string>> {
    const response = await this.client.request("GET", `/flavors/${enc(id)}/os-extra_specs`, call);
    return this.client.parse(extraSpecsResponseSchema, response).extra_specs;
  }

  /** `POST /flavors/{id}/os-extra_specs`: adds or changes the given keys. */
  async setExtraSpecs(id: string, specs: Record<string, string>, call: CallOptions = {}) {
    const body = { extra_specs: specs };
    const response = await this.client.request("POST", `/flavors/${enc(id)}/os-extra_specs`, {
      ...call,
      body,
    });
    return this.client.parse(extraSpecsResponseSchema, response).extra_specs;
  }

  /** `GET /flavors/{id}/os-extra_specs/{key}`: one value. */
  async getExtraSpec(id: string, key: string, call: CallOptions = {}): Promise<string | undefined> {
    const response = await this.client.request("GET", `/flavors/${enc(id)}/os-extra_specs/${enc(key)}`, call);
    return this.client.parse(extraSpecItemSchema, response)[key];
  }

  /** `DELETE /flavors/{id}/os-extra_specs/{key}`. */
  async deleteExtraSpec(id: string, key: string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/flavors/${enc(id)}/os-extra_specs/${enc(key)}`, call);
  }

  /** `GET /flavors/{id}/os-flavor-access`: the projects allowed a private flavor. */
  async listAccess(id: string, call: CallOptions = {}): Promise<FlavorAccess[]> {
    const response = await this.client.request("GET", `/flavors/${enc(id)}/os-flavor-access`, call);
    return this.client.parse(flavorAccessResponseSchema, response).flavor_access;
  }

  /** `addTenantAccess` action: allows a project a private flavor. */
  async addAccess(id: string, projectId: string, call: CallOptions = {}): Promise<FlavorAccess[]> {
    const body = { addTenantAccess: { tenant: projectId } };
    const response = await this.client.request("POST", `/flavors/${enc(id)}/action`, { ...call, body });
    return this.client.parse(flavorAccessResponseSchema, response).flavor_access;
  }

  /** `removeTenantAccess` action. */
  async removeAccess(id: string, projectId: string, call: CallOptions = {}): Promise<FlavorAccess[]> {
    const body = { removeTenantAccess: { tenant: projectId } };
    const response = await this.client.request("POST", `/flavors/${enc(id)}/action`, { ...call, body });
    return this.client.parse(flavorAccessResponseSchema, response).flavor_access;
  }
}
