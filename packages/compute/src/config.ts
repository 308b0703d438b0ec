import { z } from "zod";
import { ComputeConfigError } from "./compute-config-error.js";

/**
 * nova-compute's options, by nova.conf name (the `[DEFAULT]` ones flat, `[compute]`/`[upgrade_levels]` ones
 * too where they are unambiguous). Parsed once, at the edge, by createComputeService.
 */
export const computeConfigSchema = z.object({
  /** Seconds between resource tracker passes; 0 means Nova's default periodic spacing (60), < 0 turns it off. */
  update_resources_interval: z.number().int().default(60),
  /** Seconds between syncs of every instance's power state with the hypervisor (same rules as above). */
  sync_power_state_interval: z.number().int().default(600),
  /** Ratios a new compute node starts with (Nova's `initial_*_allocation_ratio`). */
  initial_cpu_allocation_ratio: z.number().positive().default(16.0),
  initial_ram_allocation_ratio: z.number().positive().default(1.5),
  initial_disk_allocation_ratio: z.number().positive().default(1.0),
  /** Ratios forced on every pass when set (Nova's `*_allocation_ratio`; unset or 0.0 leaves the node's own). */
  cpu_allocation_ratio: z.number().min(0).nullable().default(null),
  ram_allocation_ratio: z.number().min(0).nullable().default(null),
  disk_allocation_ratio: z.number().min(0).nullable().default(null),
  /**
   * `reserved_host_*`: what the host keeps for itself (Nova's defaults). As Nova's resource tracker does, a new
   * compute node starts with them counted as used, so the scheduler's claims never hand them to guests.
   */
  reserved_host_cpus: z.number().int().min(0).default(0),
  reserved_host_memory_mb: z.number().int().min(0).default(512),
  reserved_host_disk_mb: z.number().int().min(0).default(0),
  /** Seconds a clean shutdown may take before the guest is powered off by force. */
  shutdown_timeout: z.number().int().min(0).default(60),
  /** `[compute] shutdown_retry_interval`: seconds between shutdown requests while waiting. */
  shutdown_retry_interval: z.number().int().min(1).default(10),
  /** How guests are named on the hypervisor, as Nova's template (`%(id)` / `%x` / `%d` / `%(uuid)s`). */
  instance_name_template: z.string().min(1).default("instance-%08x"),
  /** The host's IP, reported as the compute node's host_ip. */
  my_ip: z.string().nullable().default(null),
  /** Heartbeat options (see @nova/servicegroup). */
  report_interval: z.number().int().min(0).default(10),
  service_down_time: z.number().int().min(1).default(60),
  /** RPC timeouts (seconds) of the clients this service uses. */
  rpc_response_timeout: z.number().int().min(1).default(60),
  long_rpc_timeout: z.number().int().min(1).default(1800),
  /** `[upgrade_levels]`: highest versions to send to the conductor and the schedulers during an upgrade. */
  upgrade_levels: z
    .object({ conductor: z.string().optional(), scheduler: z.string().optional() })
    .default({}),
  /** Resize to the same host allowed (Nova's `allow_resize_to_same_host`, default false). */
  allow_resize_to_same_host: z.boolean().default(false),
  /** Seconds after which a finished resize is confirmed automatically; 0 (Nova's default) never. */
  resize_confirm_window: z.number().int().min(0).default(0),
  /** Seconds a soft-deleted instance waits before the compute reclaims it; 0 turns soft delete off. */
  reclaim_instance_interval: z.number().int().default(0),
  /** Seconds a shelved guest stays on its host before it is offloaded (0: at once, -1: never). */
  shelved_offload_time: z.number().int().min(-1).default(0),
  /** Seconds between checks for shelved guests to offload (Nova's `shelved_poll_interval`). */
  shelved_poll_interval: z.number().int().default(3600),
  /** RPC requests served at once (oslo's `executor_thread_pool_size`); default the transport's. */
  executor_thread_pool_size: z.number().int().min(1).optional(),
});

/** The options as given (every field optional). */
export type ComputeConfigInput = z.input<typeof computeConfigSchema>;

/** The options after parsing, with defaults applied. */
export type ComputeConfig = z.output<typeof computeConfigSchema>;

/** Parses the options once; an invalid one throws ComputeConfigError naming the option. */
export function parseComputeConfig(raw: unknown): ComputeConfig {
  const parsed = computeConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path.join(".") || "(config)";
    throw new ComputeConfigError(option, issue?.message ?? "invalid");
  }
  return parsed.data;
}

/** A periodic task's period in ms by Nova's rules (0: the default 60 s spacing; negative: off, null). */
export function periodicIntervalMs(seconds: number): number | null {
  if (seconds < 0) return null;
  return (seconds === 0 ? 60 : seconds) * 1000;
}

/** The resource tracker's period in ms, or null when it is turned off (update_resources_interval). */
export function resourceIntervalMs(config: ComputeConfig): number | null {
  return periodicIntervalMs(config.update_resources_interval);
}
