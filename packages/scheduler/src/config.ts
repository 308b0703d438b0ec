import { z } from "zod";

/** The filters Nova 26 (Zed) enables by default (`[filter_scheduler] enabled_filters`). */
export const DEFAULT_ENABLED_FILTERS = [
  "ComputeFilter",
  "ComputeCapabilitiesFilter",
  "ImagePropertiesFilter",
  "ServerGroupAntiAffinityFilter",
  "ServerGroupAffinityFilter",
] as const;

/** Every built-in weigher, in the order a Debian Zed install sums them (`weight_classes = all_weighers`). */
export const ALL_WEIGHERS = [
  "CrossCellWeigher",
  "MetricsWeigher",
  "CPUWeigher",
  "BuildFailureWeigher",
  "ServerGroupSoftAffinityWeigher",
  "ServerGroupSoftAntiAffinityWeigher",
  "RAMWeigher",
  "DiskWeigher",
  "PCIWeigher",
  "IoOpsWeigher",
] as const;

/**
 * Scheduler options, flat, under Nova's option names. `[filter_scheduler]` options keep their names,
 * `[metrics]` ones are prefixed `metrics_`, `[scheduler] max_attempts` and `[DEFAULT]` ones as they are.
 */
export const schedulerConfigSchema = z.object({
  enabled_filters: z.array(z.string()).default([...DEFAULT_ENABLED_FILTERS]),
  /** Weighers, in the order their weights are summed (the order matters to the last bit). */
  weight_classes: z.array(z.string()).default([...ALL_WEIGHERS]),
  ram_weight_multiplier: z.number().default(1.0),
  cpu_weight_multiplier: z.number().default(1.0),
  disk_weight_multiplier: z.number().default(1.0),
  io_ops_weight_multiplier: z.number().default(-1.0),
  pci_weight_multiplier: z.number().default(1.0),
  soft_affinity_weight_multiplier: z.number().default(1.0),
  soft_anti_affinity_weight_multiplier: z.number().default(1.0),
  build_failure_weight_multiplier: z.number().default(1000000.0),
  cross_cell_move_weight_multiplier: z.number().default(1000000.0),
  metrics_weight_multiplier: z.number().default(1.0),
  metrics_weight_setting: z.array(z.string()).default([]),
  metrics_required: z.boolean().default(true),
  metrics_weight_of_unavailable: z.number().default(-10000.0),
  max_io_ops_per_host: z.number().int().default(8),
  max_instances_per_host: z.number().int().default(50),
  default_availability_zone: z.string().default("nova"),
  service_down_time: z.number().default(60),
  host_subset_size: z.number().int().min(1).default(1),
  shuffle_best_same_weighed_hosts: z.boolean().default(false),
  max_attempts: z.number().int().min(1).default(3),
  image_properties_default_architecture: z.string().nullable().default(null),
  isolated_hosts: z.array(z.string()).default([]),
  isolated_images: z.array(z.string()).default([]),
  restrict_isolated_hosts_to_isolated_images: z.boolean().default(true),
  aggregate_image_properties_isolation_namespace: z.string().nullable().default(null),
  aggregate_image_properties_isolation_separator: z.string().default("."),
  /**
   * Beyond Nova's options: run the resource-fit step that Placement does for Zed (VCPU, MEMORY_MB,
   * DISK_GB against allocation ratios and reserved amounts). Off only to replay Nova's own answers.
   */
  placement_resource_fit: z.boolean().default(true),
  /** `[scheduler] query_placement_for_availability_zone`: the zone is enforced before the filters. */
  query_placement_for_availability_zone: z.boolean().default(true),
});

/** Parsed scheduler options. */
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;

/** Parses scheduler options once, at the edge (unknown keys are rejected). */
export function parseSchedulerConfig(input: unknown = {}): SchedulerConfig {
  return schedulerConfigSchema.strict().parse(input);
}
