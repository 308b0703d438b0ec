import type { HostState } from "../host-state.js";
import type { HostWeigher, WeighRequest } from "./host-weigher.js";
import { multiplierFor } from "./host-weigher.js";

function membersOnHost(req: WeighRequest, policy: string): ((h: HostState) => number) | null {
  const group = req.spec.instance_group;
  if (!group || group.policy !== policy) return null;
  const members = new Set(group.members);
  return (h) => {
    let n = 0;
    // Iterate the smaller side of the intersection.
    if (h.instances.size < members.size) {
      for (const u of h.instances) if (members.has(u)) n++;
    } else {
      for (const u of members) if (h.instances.has(u)) n++;
    }
    return n;
  };
}

/** ServerGroupSoftAffinityWeigher: more group members on the host weigh more. */
export const serverGroupSoftAffinityWeigher: HostWeigher = {
  name: "ServerGroupSoftAffinityWeigher",
  valueStableWithinRequest: true,
  prepare: (req) => {
    const count = membersOnHost(req, "soft-affinity");
    return {
      value: count ?? (() => 0),
      multiplier: multiplierFor(
        "soft_affinity_weight_multiplier",
        req.config.soft_affinity_weight_multiplier,
      ),
      ...(count ? {} : { values: (_hs: readonly HostState[], out: Float64Array) => out.fill(0) }),
    };
  },
};

/** ServerGroupSoftAntiAffinityWeigher: more group members on the host weigh less. */
export const serverGroupSoftAntiAffinityWeigher: HostWeigher = {
  name: "ServerGroupSoftAntiAffinityWeigher",
  valueStableWithinRequest: true,
  prepare: (req) => {
    const count = membersOnHost(req, "soft-anti-affinity");
    return {
      value: count ? (h) => -1 * count(h) : () => 0,
      ...(count ? {} : { values: (_hs: readonly HostState[], out: Float64Array) => out.fill(0) }),
      multiplier: multiplierFor(
        "soft_anti_affinity_weight_multiplier",
        req.config.soft_anti_affinity_weight_multiplier,
      ),
    };
  },
};
