import type { HostFilter } from "./host-filter.js";

/** IsolatedHostsFilter: isolated images only on isolated hosts (and the reverse when restricted). */
export const isolatedHostsFilter: HostFilter = {
  name: "IsolatedHostsFilter",
  runFilterOncePerRequest: true,
  runOnRebuild: true,
  verdictStableWithinRequest: true,
  prepare(req) {
    const hosts = new Set(req.config.isolated_hosts);
    const images = new Set(req.config.isolated_images);
    const restrict = req.config.restrict_isolated_hosts_to_isolated_images;
    if (images.size === 0) {
      return {
        passes: restrict ? (h) => !hosts.has(h.host) : null,
        reason: () => "isolated host, and no isolated images are configured",
      };
    }
    const ref = req.spec.image?.id ?? null;
    const imageIsolated = ref !== null && images.has(ref);
    return {
      passes: (h) => (restrict ? imageIsolated === hosts.has(h.host) : !imageIsolated || hosts.has(h.host)),
      reason: (h) =>
        hosts.has(h.host) ? "isolated host, image not isolated" : "image isolated, host not isolated",
    };
  },
};
