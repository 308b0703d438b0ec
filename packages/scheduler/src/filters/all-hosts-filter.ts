import type { HostFilter } from "./host-filter.js";

/** AllHostsFilter: passes every host. */
export const allHostsFilter: HostFilter = {
  name: "AllHostsFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare: () => ({ passes: null, reason: () => "" }),
};
