import type { HostState } from "../host-state.js";
import { PythonSemanticsError } from "../python-semantics.js";
import { type FilterRequest, type HostFilter, PASSES_ALL } from "./host-filter.js";

function hintList(req: FilterRequest, name: string): readonly string[] | null {
  const v = req.hint(name);
  if (v === undefined || v.length === 0) return null;
  return typeof v === "string" ? [v] : v;
}

function hostsOfInstances(req: FilterRequest, uuids: readonly string[]): Set<HostState> {
  const out = new Set<HostState>();
  for (const u of uuids) for (const h of req.hosts.hostsOfInstance(u)) out.add(h);
  return out;
}

/** DifferentHostFilter: hosts holding none of the `different_host` instances. */
export const differentHostFilter: HostFilter = {
  name: "DifferentHostFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const uuids = hintList(req, "different_host");
    if (!uuids) return PASSES_ALL;
    const bad = hostsOfInstances(req, uuids);
    return {
      passes: (h) => !bad.has(h),
      reason: () => "host holds an instance named in different_host",
      onlyCanReject: [...bad],
    };
  },
};

/** SameHostFilter: hosts holding at least one of the `same_host` instances. */
export const sameHostFilter: HostFilter = {
  name: "SameHostFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const uuids = hintList(req, "same_host");
    if (!uuids) return PASSES_ALL;
    const good = hostsOfInstances(req, uuids);
    return {
      passes: (h) => good.has(h),
      reason: () => "host holds none of the instances named in same_host",
      candidates: [...good],
    };
  },
};

function parseIPv4(s: string): number {
  const parts = s.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new PythonSemanticsError(`invalid IPNetwork/IPAddress ${s}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** SimpleCIDRAffinityFilter: hosts whose IP is in `build_near_host_ip` + `cidr` (default /24). IPv4 only. */
export const simpleCidrAffinityFilter: HostFilter = {
  name: "SimpleCIDRAffinityFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const near = req.hint("build_near_host_ip");
    if (!near || near.length === 0) return PASSES_ALL;
    const cidr = req.hint("cidr") ?? "/24";
    const net = `${String(near)}${String(cidr)}`;
    const m = /^([^/]+)\/(\d+)$/.exec(net);
    if (!m || Number(m[2]) > 32) throw new PythonSemanticsError(`invalid IPNetwork ${net}`);
    const bits = Number(m[2]);
    const size = 2 ** (32 - bits);
    const base = Math.floor(parseIPv4(m[1]!) / size) * size;
    return {
      passes: (h) => {
        if (!h.host_ip) throw new PythonSemanticsError(`host ${h.host} has no host_ip`);
        const ip = parseIPv4(h.host_ip);
        return ip >= base && ip < base + size;
      },
      reason: (h) => `host_ip ${h.host_ip} is outside ${net}`,
    };
  },
};

/** ServerGroupAntiAffinityFilter: fewer than max_server_per_host (default 1) group members on the host. */
export const serverGroupAntiAffinityFilter: HostFilter = {
  name: "ServerGroupAntiAffinityFilter",
  verdictStableWithinRequest: true,
  prepare(req) {
    const group = req.spec.instance_group;
    if (group?.policy !== "anti-affinity") return PASSES_ALL;
    const raw = group.rules?.max_server_per_host;
    const max =
      raw === undefined || raw === null ? 1 : typeof raw === "number" ? raw : Number.parseInt(raw, 10);
    // Only hosts holding members can fail: count members per host through the instance index.
    const counts = new Map<HostState, number>();
    for (const m of new Set(group.members)) {
      for (const h of req.hosts.hostsOfInstance(m)) counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    const uuid = req.instanceUuid;
    return {
      onlyCanReject: max > 0 ? [...counts.keys()] : null,
      passes: (h) => (uuid !== null && h.instances.has(uuid)) || (counts.get(h) ?? 0) < max,
      reason: (h) =>
        `${counts.get(h) ?? 0} member(s) of anti-affinity group on host, max_server_per_host ${max}`,
    };
  },
};

/** ServerGroupAffinityFilter: the group's hosts, when the group has any. */
export const serverGroupAffinityFilter: HostFilter = {
  name: "ServerGroupAffinityFilter",
  // Not stable: the group's hosts grow with each instance placed.
  prepare(req) {
    const group = req.spec.instance_group;
    if (group?.policy !== "affinity" || req.groupHosts.length === 0) {
      return PASSES_ALL;
    }
    const names = new Set(req.groupHosts);
    return {
      passes: (h) => names.has(h.host),
      reason: () => `affinity group's hosts are ${[...names].join(", ")}`,
      candidates: [...names].flatMap((n) => req.hosts.hostsNamed(n)),
    };
  },
};
