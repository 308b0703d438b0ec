import { NovaError } from "@nova/core";
import {
  differentHostFilter,
  sameHostFilter,
  serverGroupAffinityFilter,
  serverGroupAntiAffinityFilter,
  simpleCidrAffinityFilter,
} from "./filters/affinity-filters.js";
import {
  aggregateImagePropertiesIsolation,
  aggregateInstanceExtraSpecsFilter,
  aggregateMultiTenancyIsolation,
  aggregateTypeAffinityFilter,
  availabilityZoneFilter,
} from "./filters/aggregate-filters.js";
import { allHostsFilter } from "./filters/all-hosts-filter.js";
import { computeCapabilitiesFilter } from "./filters/compute-capabilities-filter.js";
import { computeFilter } from "./filters/compute-filter.js";
import type { HostFilter } from "./filters/host-filter.js";
import { imagePropertiesFilter } from "./filters/image-properties-filter.js";
import { isolatedHostsFilter } from "./filters/isolated-hosts-filter.js";
import { jsonFilter } from "./filters/json-filter.js";
import {
  aggregateIoOpsFilter,
  aggregateNumInstancesFilter,
  ioOpsFilter,
  numInstancesFilter,
} from "./filters/load-filters.js";
import { metricsFilter } from "./filters/metrics-filter.js";
import { guardFilter, guardWeigher } from "./plugin-guard.js";
import {
  serverGroupSoftAffinityWeigher,
  serverGroupSoftAntiAffinityWeigher,
} from "./weighers/affinity-weighers.js";
import { crossCellWeigher } from "./weighers/cross-cell-weigher.js";
import type { HostWeigher } from "./weighers/host-weigher.js";
import { metricsWeigher } from "./weighers/metrics-weigher.js";
import {
  buildFailureWeigher,
  cpuWeigher,
  diskWeigher,
  ioOpsWeigher,
  pciWeigher,
  ramWeigher,
} from "./weighers/resource-weighers.js";

/** Every filter Nova 26 ships except NUMATopologyFilter and PciPassthroughFilter. */
export const BUILTIN_FILTERS: readonly HostFilter[] = [
  computeFilter,
  computeCapabilitiesFilter,
  imagePropertiesFilter,
  serverGroupAntiAffinityFilter,
  serverGroupAffinityFilter,
  availabilityZoneFilter,
  aggregateInstanceExtraSpecsFilter,
  aggregateImagePropertiesIsolation,
  aggregateMultiTenancyIsolation,
  aggregateTypeAffinityFilter,
  ioOpsFilter,
  aggregateIoOpsFilter,
  numInstancesFilter,
  aggregateNumInstancesFilter,
  differentHostFilter,
  sameHostFilter,
  simpleCidrAffinityFilter,
  jsonFilter,
  isolatedHostsFilter,
  metricsFilter,
  allHostsFilter,
];

/** Every weigher Nova 26 ships. */
export const BUILTIN_WEIGHERS: readonly HostWeigher[] = [
  ramWeigher,
  cpuWeigher,
  diskWeigher,
  ioOpsWeigher,
  pciWeigher,
  serverGroupSoftAffinityWeigher,
  serverGroupSoftAntiAffinityWeigher,
  buildFailureWeigher,
  crossCellWeigher,
  metricsWeigher,
];

/** A name in `enabled_filters` or `weight_classes` that nothing is registered under. */
export class UnknownPluginError extends NovaError {
  /** Builds "no <kind> named <name> is registered". */
  constructor(
    /** Whether a filter or a weigher was named. */
    readonly kind: "filter" | "weigher",
    /** The name nothing is registered under. */
    readonly pluginName: string,
  ) {
    super("SCHEDULER_UNKNOWN_PLUGIN", `no ${kind} named ${pluginName} is registered`);
  }
}

/** The filters and weighers a scheduler can name: the built-ins plus any registered by the user. */
export class PluginRegistry {
  private readonly filters = new Map<string, HostFilter>();
  private readonly weighers = new Map<string, HostWeigher>();

  constructor() {
    for (const f of BUILTIN_FILTERS) this.filters.set(f.name, f);
    for (const w of BUILTIN_WEIGHERS) this.weighers.set(w.name, w);
  }

  /**
   * Adds (or replaces) a filter under its name. It is guarded: a throw or a verdict that is not a boolean fails
   * the request with a PluginFailedError naming it.
   */
  registerFilter(filter: HostFilter): this {
    this.filters.set(filter.name, guardFilter(filter));
    return this;
  }

  /**
   * Adds (or replaces) a weigher under its name. It is guarded: a throw or a weight that is not a finite number
   * fails the request with a PluginFailedError naming it.
   */
  registerWeigher(weigher: HostWeigher): this {
    this.weighers.set(weigher.name, guardWeigher(weigher));
    return this;
  }

  /** The filter named `name`. */
  filter(name: string): HostFilter {
    const f = this.filters.get(name);
    if (!f) throw new UnknownPluginError("filter", name);
    return f;
  }

  /** The weigher named `name`. */
  weigher(name: string): HostWeigher {
    const w = this.weighers.get(name);
    if (!w) throw new UnknownPluginError("weigher", name);
    return w;
  }
}
