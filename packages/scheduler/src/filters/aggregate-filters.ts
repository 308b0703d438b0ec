import { matchExtraSpec } from "../extra-specs-ops.js";
import type { HostState } from "../host-state.js";
import { pyStrip } from "../python-semantics.js";
import { type HostFilter, PASSES_ALL } from "./host-filter.js";

const NONE = PASSES_ALL;

/** AvailabilityZoneFilter: the host's zone (aggregate metadata, else default_availability_zone). */
export const availabilityZoneFilter: HostFilter = {
  name: "AvailabilityZoneFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const az = req.spec.availability_zone;
    if (!az) return NONE;
    const zones = (h: HostState) => h.aggregateSet.metadata("availability_zone").get("availability_zone");
    return {
      byAggregates: true,
      passes: (h) => {
        const z = zones(h);
        return z ? z.has(az) : az === req.config.default_availability_zone;
      },
      reason: (h) =>
        `host is in zone ${[...(zones(h) ?? [req.config.default_availability_zone])].join(",")}, not ${az}`,
    };
  },
};

/** AggregateInstanceExtraSpecsFilter: unscoped and `aggregate_instance_extra_specs:` specs vs metadata. */
export const aggregateInstanceExtraSpecsFilter: HostFilter = {
  name: "AggregateInstanceExtraSpecsFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const specs = Object.entries(req.spec.flavor.extra_specs ?? {});
    if (specs.length === 0) return NONE;
    const checks: Array<{ key: string; req: string }> = [];
    for (const [k, v] of specs) {
      const i = k.indexOf(":");
      if (i < 0) checks.push({ key: k, req: v });
      else if (k.slice(0, i) === "aggregate_instance_extra_specs")
        checks.push({ key: k.slice(i + 1), req: v });
    }
    if (checks.length === 0) return NONE;
    const failing = (h: HostState): string | null => {
      const md = h.aggregateSet.metadata();
      for (const c of checks) {
        const vals = md.get(c.key);
        if (!vals || vals.size === 0) return `extra spec ${c.key} is not in the host's aggregates`;
        if (![...vals].some((v) => matchExtraSpec(v, c.req))) {
          return `aggregate values ${[...vals].join(",")} do not match ${c.key}='${c.req}'`;
        }
      }
      return null;
    };
    return { byAggregates: true, passes: (h) => failing(h) === null, reason: (h) => failing(h) ?? "" };
  },
};

/** AggregateImagePropertiesIsolation: image properties must be among the aggregates' values for that key. */
export const aggregateImagePropertiesIsolation: HostFilter = {
  name: "AggregateImagePropertiesIsolation",
  runFilterOncePerRequest: true,
  runOnRebuild: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const ns = req.config.aggregate_image_properties_isolation_namespace;
    const sep = req.config.aggregate_image_properties_isolation_separator;
    const props = req.spec.image?.properties ?? {};
    const failing = (h: HostState): string | null => {
      for (const [key, options] of h.aggregateSet.metadata()) {
        if (ns && !key.startsWith(ns + sep)) continue;
        const prop = Object.hasOwn(props, key) ? props[key] : undefined;
        if (prop === undefined || prop === "" || prop === false || prop === 0) continue;
        const text = prop === true ? "True" : String(prop);
        if (!options.has(text))
          return `image ${key}=${text} not in aggregate values ${[...options].join(",")}`;
      }
      return null;
    };
    return { byAggregates: true, passes: (h) => failing(h) === null, reason: (h) => failing(h) ?? "" };
  },
};

/** AggregateMultiTenancyIsolation: hosts in `filter_tenant_id` aggregates take only those projects. */
export const aggregateMultiTenancyIsolation: HostFilter = {
  name: "AggregateMultiTenancyIsolation",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const tenant = req.spec.project_id;
    const ids = (h: HostState) => h.aggregateSet.metadata("filter_tenant_id").get("filter_tenant_id");
    return {
      byAggregates: true,
      passes: (h) => {
        const t = ids(h);
        return !t || t.size === 0 || t.has(tenant);
      },
      reason: (h) => `project ${tenant} not in filter_tenant_id ${[...(ids(h) ?? [])].join(",")}`,
    };
  },
};

/** AggregateTypeAffinityFilter: hosts in `instance_type` aggregates take only those flavors. */
export const aggregateTypeAffinityFilter: HostFilter = {
  name: "AggregateTypeAffinityFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const flavor = req.spec.flavor.name;
    return {
      byAggregates: true,
      passes: (h) => {
        const vals = h.aggregateSet.values("instance_type");
        for (const v of vals) if (v.split(",").some((x) => pyStrip(x) === flavor)) return true;
        return vals.size === 0;
      },
      reason: (h) =>
        `flavor ${flavor} not in instance_type ${[...h.aggregateSet.values("instance_type")].join(";")}`,
    };
  },
};
