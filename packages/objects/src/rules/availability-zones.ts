// Nova's availability zone rules (nova/availability_zones.py and AggregateAPI.is_safe_to_update_az): a zone is
// the `availability_zone` metadata of a host aggregate; both the API and its test double decide with these.

/** The metadata key that makes a host aggregate an availability zone. */
export const AZ_METADATA_KEY = "availability_zone";

/** The zone non-compute services are shown in (`[DEFAULT] internal_service_availability_zone`). */
export const INTERNAL_SERVICE_ZONE = "internal";

/** What the zone rules read of an aggregate. */
export interface ZonedAggregate {
  /** Its id. */
  readonly id: number;
  /** Compute host names in it. */
  readonly hosts: readonly string[];
  /** Its metadata (`availability_zone` among it). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** An aggregate's zone, or null when it defines none. */
export function aggregateZone(aggregate: ZonedAggregate): string | null {
  return aggregate.metadata[AZ_METADATA_KEY] ?? null;
}

/** The zones of the aggregates a host is in, each once, in aggregate order. */
export function hostZones(aggregates: readonly ZonedAggregate[], host: string): string[] {
  const zones: string[] = [];
  for (const a of aggregates) {
    const z = aggregateZone(a);
    if (z !== null && a.hosts.includes(host) && !zones.includes(z)) zones.push(z);
  }
  return zones;
}

/**
 * The zone Nova shows for a service (set_availability_zones): a compute's aggregate zones joined by ",", or
 * the default zone; `internal` for every other service.
 */
export function serviceZone(
  binary: string,
  host: string,
  aggregates: readonly ZonedAggregate[],
  defaultZone: string,
): string {
  if (binary !== "nova-compute") return INTERNAL_SERVICE_ZONE;
  const zones = hostZones(aggregates, host);
  return zones.length > 0 ? zones.join(",") : defaultZone;
}

/** The zone an instance placed on a host is in (get_host_availability_zone): the first zone, or the default. */
export function hostZone(aggregates: readonly ZonedAggregate[], host: string, defaultZone: string): string {
  return hostZones(aggregates, host)[0] ?? defaultZone;
}

/**
 * Why giving `aggregate` the zone `zone` (or adding `hosts` to it) is refused, or null when it may
 * (is_safe_to_update_az without its instance check): an empty zone name, or a host already in another zone.
 */
export function zoneChangeRefusal(
  aggregates: readonly ZonedAggregate[],
  aggregate: ZonedAggregate & { readonly name: string },
  zone: string | null,
  hosts: readonly string[] = aggregate.hosts,
): string | null {
  if (!zone) return `Aggregate ${aggregate.name} does not support empty named availability zone`;
  const conflicting = aggregates
    .filter((a) => a.id !== aggregate.id && hosts.some((h) => a.hosts.includes(h)))
    .map(aggregateZone)
    .filter((z): z is string => z !== null && z !== zone);
  if (conflicting.length > 0) {
    return `One or more hosts already in availability zone(s) [${conflicting.map((z) => `'${z}'`).join(", ")}]`;
  }
  return null;
}
