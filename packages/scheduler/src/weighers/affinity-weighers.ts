import type { HostState } from "../host-state.js";
import type { HostWeigher, WeighRequest } from "./host-weigher.js";
import { multiplierFor } from "./host-weigher.js";

function membersOnHost(req: WeighRequest, policy: string): (h: HostState) => number {
  const group = req.spec.instance_group;
  if (!group || group.policy !== policy) return () => 0;
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
  prepare: (req) => ({
    value: membersOnHost(req, "soft-affinity"),
    multiplier: multiplierFor("soft_affinity_weight_multiplier", req.config.soft_affinity_weight_multiplier),
  }),
};

/** ServerGroupSoftAntiAffinityWeigher: more group members on the host weigh less. */
export const serverGroupSoftAntiAffinityWeigher: HostWeigher = {
  name: "ServerGroupSoftAntiAffinityWeigher",
  valueStableWithinRequest: true,
  prepare: (req) => {
    const count = membersOnHost(req, "soft-anti-affinity");
    return {
      value: (h) => -1 * count(h),
      multiplier: multiplierFor(
        "soft_anti_affinity_weight_multiplier",
        req.config.soft_anti_affinity_weight_multiplier,
      ),
    };
  },
};
