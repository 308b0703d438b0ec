import type { CallOptions } from "../http-transport.js";
import {
  type Hypervisor,
  type HypervisorListQuery,
  hypervisorSchema,
  hypervisorStatisticsResponseSchema,
  showHypervisorResponseSchema,
} from "../schemas/hypervisors.js";
import { enc, type ResourceContext } from "./resource-context.js";

/** Hypervisors (`/os-hypervisors`, admin): the compute nodes, their state and (before 2.88) usage. */
export class HypervisorsResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** Every hypervisor (summary), page after page (2.33+). */
  list(query: HypervisorListQuery = {}, call: CallOptions = {}): AsyncGenerator<Hypervisor, void, undefined> {
    return this.client.iterate("/os-hypervisors", "hypervisors", hypervisorSchema, query, call);
  }

  /** Every hypervisor in detail, page after page. */
  listDetail(
    query: HypervisorListQuery = {},
    call: CallOptions = {},
  ): AsyncGenerator<Hypervisor, void, undefined> {
    return this.client.iterate("/os-hypervisors/detail", "hypervisors", hypervisorSchema, query, call);
  }

  /** `GET /os-hypervisors/{id}` (a UUID from 2.53, a number before). */
  async get(
    id: string | number,
    query: { with_servers?: boolean } = {},
    call: CallOptions = {},
  ): Promise<Hypervisor> {
    const response = await this.client.request("GET", `/os-hypervisors/${enc(id)}`, { ...call, query });
    return this.client.parse(showHypervisorResponseSchema, response).hypervisor;
  }

  /** `GET /os-hypervisors/statistics` (before 2.88): the sums over every hypervisor. */
  async statistics(call: CallOptions = {}) {
    const response = await this.client.request("GET", "/os-hypervisors/statistics", call);
    return this.client.parse(hypervisorStatisticsResponseSchema, response).hypervisor_statistics;
  }
}
