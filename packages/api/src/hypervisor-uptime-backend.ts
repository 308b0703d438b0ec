import type { RequestContext } from "./request-context.js";

/** What `GET /os-hypervisors/{id}/uptime` needs beyond the hypervisor itself. */
export interface HypervisorUptimeBackend {
  /**
   * The `uptime` line of a compute host, as its virt driver reports it (Nova's `get_host_uptime`); null when
   * the driver cannot tell, which the API answers with Nova's 501.
   */
  hypervisorUptime(ctx: RequestContext, host: string): Promise<string | null>;
}
