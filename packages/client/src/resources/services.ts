import { z } from "zod";
import type { CallOptions } from "../http-transport.js";
import {
  listServicesResponseSchema,
  type Service,
  type ServiceListQuery,
  serviceSchema,
} from "../schemas/services.js";
import { enc, type ResourceContext } from "./resource-context.js";

const serviceResponseSchema = z.object({ service: serviceSchema });

/** The control plane's services (`/os-services`, admin): list, enable/disable, force down, delete. */
export class ServicesResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `GET /os-services`. */
  async list(query: ServiceListQuery = {}, call: CallOptions = {}): Promise<Service[]> {
    const response = await this.client.request("GET", "/os-services", { ...call, query });
    return this.client.parse(listServicesResponseSchema, response).services;
  }

  /**
   * `PUT /os-services/{id}` (2.53+, by UUID): `status` enabled or disabled (with a reason), `forced_down`.
   */
  async update(
    id: string,
    changes: { status?: "enabled" | "disabled"; disabled_reason?: string; forced_down?: boolean },
    call: CallOptions = {},
  ): Promise<Service> {
    const response = await this.client.request("PUT", `/os-services/${enc(id)}`, { ...call, body: changes });
    return this.client.parse(serviceResponseSchema, response).service;
  }

  /** `DELETE /os-services/{id}`. */
  async delete(id: string | number, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/os-services/${enc(id)}`, call);
  }
}
