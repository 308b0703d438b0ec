import { z } from "zod";

/**
 * The conductor's options by nova.conf name (flattened: `[DEFAULT] host`, `report_interval`, ...;
 * `[upgrade_levels] compute` as `upgrade_levels_compute`). Parsed once, at the edge.
 */
export const conductorConfigSchema = z.object({
  /** `[DEFAULT] host`: this conductor's server name (`conductor.<host>`). */
  host: z.string().min(1).default("conductor"),
  /**
   * `[DEFAULT] instance_build_timeout` (s): builds older than this go to ERROR; 0 turns the check off. The
   * default and its reason are @nova/config's (one hour); this copy only serves callers that pass no value.
   */
  instance_build_timeout: z.number().int().min(0).default(3600),
  /** How often (s) stuck builds are looked for (Nova runs the check every periodic interval, 60 s). */
  build_timeout_check_interval: z.number().int().min(1).default(60),
  /** `[DEFAULT] report_interval` (s): also how often down services are checked. */
  report_interval: z.number().int().min(0).default(10),
  /** `[DEFAULT] service_down_time` (s). */
  service_down_time: z.number().int().min(1).default(60),
  /** `[DEFAULT] rpc_response_timeout` (s): the call-monitor interval of long calls. */
  rpc_response_timeout: z.number().int().min(1).default(60),
  /** `[DEFAULT] long_rpc_timeout` (s): overall limit of select_destinations and build_and_run_instance. */
  long_rpc_timeout: z.number().int().min(1).default(1800),
  /** `[upgrade_levels] compute` / `scheduler`: highest RPC versions to send during a rolling upgrade. */
  upgrade_levels_compute: z.string().optional(),
  upgrade_levels_scheduler: z.string().optional(),
  /** Which cell `cellDb` is (a cell_mappings uuid); default: the only cell besides cell0. */
  cell_uuid: z.string().uuid().optional(),
  /** nova-ts: how long (ms) heartbeats wait to share one database write. */
  heartbeat_batch_window_ms: z.number().int().min(0).default(50),
  /** nova-ts: batched heartbeat writes allowed in flight at once. */
  heartbeat_max_concurrent_writes: z.number().int().min(1).default(4),
  /**
   * nova-ts: heartbeats handled at once, apart from executor_thread_pool_size. A heartbeat only waits for its
   * batch (window plus one write): in the shared pool it would cap the conductor at pool / (window + write)
   * reports a second (about 440/s with 64), and a burst of other requests could delay heartbeats into false
   * downs.
   */
  heartbeat_pool_size: z.number().int().min(1).default(2048),
  /** `[conductor] workers` has no meaning in one process; this caps concurrent RPC requests instead. */
  executor_thread_pool_size: z.number().int().min(1).default(64),
});

/** Raw conductor options, as a caller writes them. */
export type ConductorConfigInput = z.input<typeof conductorConfigSchema>;

/** Parsed conductor options. */
export type ConductorConfig = z.output<typeof conductorConfigSchema>;

/** Parses the options once; an invalid option throws a zod error naming it. */
export function parseConductorConfig(raw: unknown): ConductorConfig {
  return conductorConfigSchema.parse(raw ?? {});
}
