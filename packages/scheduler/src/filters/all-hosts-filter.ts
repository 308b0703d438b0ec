import { type HostFilter, PASSES_ALL } from "./host-filter.js";

/** AllHostsFilter: passes every host. */
export const allHostsFilter: HostFilter = {
  name: "AllHostsFilter",
  runFilterOncePerRequest: true,
  verdictStableWithinRequest: true,
  prepare: () => PASSES_ALL,
};
