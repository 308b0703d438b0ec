import { INTERNAL_SERVICE_ZONE } from "@nova/objects";
import type { ServiceRecord } from "../compute-backend.js";
import type { ApiRequest, Handler } from "../router.js";
import { naiveIsoTime } from "../views/time-format.js";

// Nova's os-availability-zone (nova/api/openstack/compute/availability_zone.py): zones are worked out from the
// services, each of which the backend reports with its zone (aggregate zone, default zone, or `internal`).

const API_SERVICES = new Set(["nova-osapi_compute", "nova-metadata"]);

/** Nova's get_availability_zones: the zones of enabled services, and those only disabled services are in. */
function zonesOf(services: readonly ServiceRecord[]): { available: string[]; unavailable: string[] } {
  const available = new Set(services.filter((s) => !s.disabled).map((s) => s.zone));
  const unavailable = new Set(
    services.filter((s) => s.disabled && !available.has(s.zone)).map((s) => s.zone),
  );
  return { available: [...available].sort(), unavailable: [...unavailable].sort() };
}

async function allServices(request: ApiRequest): Promise<ServiceRecord[]> {
  return request.backend.listServices(request.context, {});
}

/** `GET /os-availability-zone`: every zone but `internal`, with whether it is available. */
const index: Handler = async (request) => {
  request.authorize("os_compute_api:os-availability-zone:list", {});
  const { available, unavailable } = zonesOf(await allServices(request));
  const info = [
    ...available.filter((z) => z !== INTERNAL_SERVICE_ZONE).map((z) => zoneInfo(z, true, null)),
    ...unavailable.filter((z) => z !== INTERNAL_SERVICE_ZONE).map((z) => zoneInfo(z, false, null)),
  ];
  return { status: 200, body: { availabilityZoneInfo: info } };
};

/** `GET /os-availability-zone/detail` (admin): available zones with their hosts' enabled services and state. */
const detail: Handler = async (request) => {
  request.authorize("os_compute_api:os-availability-zone:detail", {});
  const services = await allServices(request);
  const { available, unavailable } = zonesOf(services);
  const hostsByZone = new Map<string, Record<string, Record<string, unknown>>>();
  for (const s of services) {
    if (s.disabled || API_SERVICES.has(s.binary)) continue;
    let hosts = hostsByZone.get(s.zone);
    if (!hosts) {
      hosts = {};
      hostsByZone.set(s.zone, hosts);
    }
    hosts[s.host] ??= {};
    hosts[s.host]![s.binary] = {
      available: s.isUp,
      active: !s.disabled,
      updated_at: s.updatedAt ? naiveIsoTime(s.updatedAt) : null,
    };
  }
  const info = [
    ...available.map((z) => zoneInfo(z, true, hostsByZone.get(z) ?? {})),
    ...unavailable.map((z) => zoneInfo(z, false, null)),
  ];
  return { status: 200, body: { availabilityZoneInfo: info } };
};

function zoneInfo(zoneName: string, available: boolean, hosts: Record<string, unknown> | null) {
  return { zoneName, zoneState: { available }, hosts };
}

/** os-availability-zone list and detail. */
export const availabilityZoneHandlers = { index, detail };
