import type { HostState, HostWeigher, PreparedWeigher, WeighRequest } from "@nova/scheduler";

/** The host aggregate metadata key naming a host's rack (`openstack aggregate set --property rack=r1`). */
export const RACK_KEY = "rack";

/** The rack a host's aggregates name, or undefined when none does. */
export function rackOf(host: HostState): string | undefined {
  return host.aggregateSet.metadata(RACK_KEY).get(RACK_KEY)?.values().next().value;
}

/**
 * Spreads servers across racks: a host weighs more the fewer instances its whole rack holds, so each new server
 * goes to the emptiest rack (hosts in no rack weigh as an empty rack would). Name it in nova.conf:
 * `[filter_scheduler] weight_classes = @nova-examples/custom-weigher#RackSpreadWeigher`.
 */
export class RackSpreadWeigher implements HostWeigher {
  /** The name `weight_classes` and the scheduler's explanations use. */
  readonly name = "RackSpreadWeigher";

  /** Readies the weigher for one request: a rack's load is summed over every host the scheduler knows. */
  prepare(request: WeighRequest): PreparedWeigher {
    const hosts = request.hosts;
    // Summed when asked, not once: between the instances of one request, each pick adds to its rack's load.
    const rackLoad = (rack: string) =>
      (hosts?.all() ?? []).reduce((n, h) => (rackOf(h) === rack ? n + h.num_instances : n), 0);
    return {
      value: (host) => {
        const rack = rackOf(host);
        return rack === undefined ? 0 : -rackLoad(rack);
      },
      multiplier: () => 1,
    };
  }
}
