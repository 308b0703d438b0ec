import type { CallOptions } from "../http-transport.js";
import { type AvailabilityZone, listAvailabilityZonesResponseSchema } from "../schemas/availability-zones.js";
import type { ResourceContext } from "./resource-context.js";

/** Availability zones (`/os-availability-zone`). */
export class AvailabilityZonesResource {
  /** Over the given client. */
  constructor(private readonly client: ResourceContext) {}

  /** `GET /os-availability-zone`: the zones and whether they are available. */
  async list(call: CallOptions = {}): Promise<AvailabilityZone[]> {
    const response = await this.client.request("GET", "/os-availability-zone", call);
    return this.client.parse(listAvailabilityZonesResponseSchema, response).availabilityZoneInfo;
  }

  /** `GET /os-availability-zone/detail` (admin): with each host's services. */
  async listDetail(call: CallOptions = {}): Promise<AvailabilityZone[]> {
    const response = await this.client.request("GET", "/os-availability-zone/detail", call);
    return this.client.parse(listAvailabilityZonesResponseSchema, response).availabilityZoneInfo;
  }
}
