import type { CallOptions } from "../http-transport.js";
import {
  type Aggregate,
  aggregateResponseSchema,
  listAggregatesResponseSchema,
} from "../schemas/aggregate-bodies.js";
import { enc, type ResourceContext } from "./resource-context.js";

/** Host aggregates (`/os-aggregates`, admin). */
export class AggregatesResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `GET /os-aggregates`. */
  async list(call: CallOptions = {}): Promise<Aggregate[]> {
    return this.client.parse(
      listAggregatesResponseSchema,
      await this.client.request("GET", "/os-aggregates", call),
    ).aggregates;
  }

  /** `GET /os-aggregates/{id}`. */
  async get(id: number | string, call: CallOptions = {}): Promise<Aggregate> {
    return this.parsed(await this.client.request("GET", `/os-aggregates/${enc(id)}`, call));
  }

  /** `POST /os-aggregates`: a new aggregate, in an availability zone when given. */
  async create(aggregate: { name: string; availability_zone?: string | null }, call: CallOptions = {}) {
    return this.parsed(await this.client.request("POST", "/os-aggregates", { ...call, body: { aggregate } }));
  }

  /** `PUT /os-aggregates/{id}`: renames it or moves it to another zone. */
  async update(
    id: number | string,
    aggregate: { name?: string; availability_zone?: string | null },
    call: CallOptions = {},
  ): Promise<Aggregate> {
    return this.parsed(
      await this.client.request("PUT", `/os-aggregates/${enc(id)}`, { ...call, body: { aggregate } }),
    );
  }

  /** `DELETE /os-aggregates/{id}` (it must have no hosts). */
  async delete(id: number | string, call: CallOptions = {}): Promise<void> {
    await this.client.request("DELETE", `/os-aggregates/${enc(id)}`, call);
  }

  /** `add_host` action. */
  addHost(id: number | string, host: string, call: CallOptions = {}): Promise<Aggregate> {
    return this.action(id, { add_host: { host } }, call);
  }

  /** `remove_host` action. */
  removeHost(id: number | string, host: string, call: CallOptions = {}): Promise<Aggregate> {
    return this.action(id, { remove_host: { host } }, call);
  }

  /** `set_metadata` action: null removes a key. */
  setMetadata(id: number | string, metadata: Record<string, string | null>, call: CallOptions = {}) {
    return this.action(id, { set_metadata: { metadata } }, call);
  }

  private async action(id: number | string, body: unknown, call: CallOptions): Promise<Aggregate> {
    return this.parsed(
      await this.client.request("POST", `/os-aggregates/${enc(id)}/action`, { ...call, body }),
    );
  }

  private parsed(response: Awaited<ReturnType<ResourceContext["request"]>>): Aggregate {
    return this.client.parse(aggregateResponseSchema, response).aggregate;
  }
}
