import { hostname } from "node:os";
import { booleanInput, listInput, numberInput } from "@nova/core";
import {
  ALL_WEIGHERS,
  parseSchedulerConfig,
  type SchedulerConfig,
  schedulerConfigSchema,
} from "@nova/scheduler";
import { parseServiceGroupConfig } from "@nova/servicegroup";
import { z } from "zod";
import { InvalidSchedulerConfigError } from "./scheduler-service-error.js";

/** One option group as given: raw INI strings (lists as comma-separated strings or arrays), or typed values. */
export type OptionGroupInput = Readonly<Record<string, unknown>>;

/** The nova.conf groups the scheduler service reads, by Nova's group names. */
export interface SchedulerServiceConfigInput {
  /** `host`, `service_down_time`, `report_interval`, `default_availability_zone`, `cell_timeout`. */
  DEFAULT?: OptionGroupInput;
  /** Nova's `[filter_scheduler]` options (filters, weighers, multipliers, limits). */
  filter_scheduler?: OptionGroupInput;
  /** `max_attempts`, `query_placement_for_availability_zone`, and nova-ts's `host_state_refresh_interval`. */
  scheduler?: OptionGroupInput;
  /** Nova's `[metrics]` options (`weight_multiplier`, `weight_setting`, `required`, `weight_of_unavailable`). */
  metrics?: OptionGroupInput;
}

/** The parsed configuration of one scheduler service. */
export interface SchedulerServiceConfig {
  /** `[DEFAULT] host`: this scheduler's server name (its `scheduler.<host>` queue). */
  host: string;
  /** Everything the filter/weigher library reads, under its (Nova's) option names. */
  scheduler: SchedulerConfig;
  /** `[scheduler] host_state_refresh_interval` (nova-ts): seconds between polls of changed nodes and services. */
  hostStateRefreshInterval: number;
  /** `[DEFAULT] report_interval`: seconds between this scheduler's own heartbeats (0: none). */
  reportInterval: number;
  /** `[scheduler] discover_hosts_in_cells_interval`: seconds between host discoveries in every cell (<= 0: none). */
  discoverHostsInCellsInterval: number;
  /**
   * `[DEFAULT] cell_timeout` (s, default 60, as Nova's): how long a scheduler over several cells waits for one
   * cell's database (a host state poll, a placement) before it takes the cell as not answering and moves on.
   */
  cellTimeout: number;
}

// Options Nova has in these groups that mean nothing here (placement, workers, periodic discovery): accepted
// and ignored, as oslo ignores options no code registered.
const IGNORED = new Set([
  "available_filters",
  "track_instance_changes",
  "workers",
  "driver",
  "periodic_task_interval",
  "max_placement_results",
  "limit_tenants_to_placement_aggregate",
  "placement_aggregate_required_for_tenants",
  "query_placement_for_image_type_support",
  "enable_isolated_aggregate_filtering",
  "query_placement_for_routed_network_aggregates",
  "image_metadata_prefilter",
  "hypervisor_version_weight_multiplier",
  "num_instances_weight_multiplier",
  "pci_in_placement",
]);

const serviceOptions = z.object({
  host: z.string().min(1).default(hostname()),
  host_state_refresh_interval: z.number().positive().default(2),
  discover_hosts_in_cells_interval: z.number().int().min(-1).default(-1),
  cell_timeout: z.number().positive().default(60),
});

// The type of each library option, read off its default (lists, numbers, booleans, strings).
const defaults = schedulerConfigSchema.parse({}) as Record<string, unknown>;

/** Parses the groups once, at the edge; an invalid value throws InvalidSchedulerConfigError naming the option. */
export function parseSchedulerServiceConfig(
  input: SchedulerServiceConfigInput = {},
  warn: (msg: string) => void = () => {},
): SchedulerServiceConfig {
  const flat: Record<string, unknown> = {};
  const take = (group: string, option: string, key: string, value: unknown) => {
    flat[key] = coerce(group, option, key, value);
  };
  for (const [option, value] of Object.entries(input.filter_scheduler ?? {})) {
    if (option in defaults) take("filter_scheduler", option, option, value);
    else if (!IGNORED.has(option)) warn(`[filter_scheduler] ${option} is not a known option; ignored`);
  }
  for (const [option, value] of Object.entries(input.metrics ?? {})) {
    const key = `metrics_${option}`;
    if (key in defaults) take("metrics", option, key, value);
    // `[metrics] listen` is nova-ts's Prometheus listener (@nova/telemetry), not a weigher option.
    else if (option !== "listen") warn(`[metrics] ${option} is not a known option; ignored`);
  }
  const scheduler = input.scheduler ?? {};
  for (const option of ["max_attempts", "query_placement_for_availability_zone"]) {
    if (scheduler[option] !== undefined) take("scheduler", option, option, scheduler[option]);
  }
  for (const option of Object.keys(scheduler)) {
    const known = [
      "max_attempts",
      "query_placement_for_availability_zone",
      "host_state_refresh_interval",
      "discover_hosts_in_cells_interval",
    ];
    if (!known.includes(option) && !IGNORED.has(option))
      warn(`[scheduler] ${option} is not a known option; ignored`);
  }
  const dflt = input.DEFAULT ?? {};
  if (dflt.default_availability_zone !== undefined) {
    take("DEFAULT", "default_availability_zone", "default_availability_zone", dflt.default_availability_zone);
  }
  // The servicegroup rule, including its correction of a service_down_time not above report_interval.
  const group = guard("DEFAULT", "service_down_time", () =>
    parseServiceGroupConfig(
      {
        ...(dflt.report_interval !== undefined
          ? { report_interval: toNumber("DEFAULT", "report_interval", dflt.report_interval) }
          : {}),
        ...(dflt.service_down_time !== undefined
          ? { service_down_time: toNumber("DEFAULT", "service_down_time", dflt.service_down_time) }
          : {}),
      },
      { debug() {}, info() {}, warn: (_o, m) => warn(m ?? ""), error() {} },
    ),
  );
  flat.service_down_time = group.serviceDownTime;
  if (Array.isArray(flat.weight_classes)) flat.weight_classes = weigherNames(flat.weight_classes as string[]);
  const parsed = guard("filter_scheduler", "", () => parseSchedulerConfig(flat), groupOfKey);
  const own = guard("scheduler", "host_state_refresh_interval", () =>
    serviceOptions.parse({
      ...(dflt.host !== undefined ? { host: String(dflt.host) } : {}),
      ...(dflt.cell_timeout !== undefined
        ? { cell_timeout: toNumber("DEFAULT", "cell_timeout", dflt.cell_timeout) }
        : {}),
      ...(scheduler.host_state_refresh_interval !== undefined
        ? {
            host_state_refresh_interval: toNumber(
              "scheduler",
              "host_state_refresh_interval",
              scheduler.host_state_refresh_interval,
            ),
          }
        : {}),
      ...(scheduler.discover_hosts_in_cells_interval !== undefined
        ? {
            discover_hosts_in_cells_interval: toNumber(
              "scheduler",
              "discover_hosts_in_cells_interval",
              scheduler.discover_hosts_in_cells_interval,
            ),
          }
        : {}),
    }),
  );
  return {
    host: own.host,
    scheduler: parsed,
    hostStateRefreshInterval: own.host_state_refresh_interval,
    reportInterval: group.reportInterval,
    discoverHostsInCellsInterval: own.discover_hosts_in_cells_interval,
    cellTimeout: own.cell_timeout,
  };
}

// Nova names weighers by class path and `all_weighers`; the library by class name.
function weigherNames(names: readonly string[]): string[] {
  return names.flatMap((n) =>
    n === "nova.scheduler.weights.all_weighers" || n === "all_weighers"
      ? [...ALL_WEIGHERS]
      : [n.slice(n.lastIndexOf(".") + 1)],
  );
}

function coerce(group: string, option: string, key: string, value: unknown): unknown {
  const d = defaults[key];
  if (Array.isArray(d)) {
    const items = listInput(value);
    if (Array.isArray(items)) return items.map(String);
    throw new InvalidSchedulerConfigError(group, option, "expected a comma-separated list");
  }
  if (typeof d === "number") return toNumber(group, option, value);
  if (typeof d === "boolean") return toBoolean(group, option, value);
  if (value === null) return null;
  return String(value);
}

function toNumber(group: string, option: string, value: unknown): number {
  const n = numberInput(value);
  if (typeof n === "number" && Number.isFinite(n)) return n;
  throw new InvalidSchedulerConfigError(group, option, `expected a number, got ${String(value)}`);
}

function toBoolean(group: string, option: string, value: unknown): boolean {
  const b = booleanInput(value);
  if (typeof b === "boolean") return b;
  throw new InvalidSchedulerConfigError(group, option, `expected a boolean, got ${String(value)}`);
}

// Which group a flat library key came from, to name it as the operator wrote it.
function groupOfKey(key: string): [string, string] {
  if (key.startsWith("metrics_")) return ["metrics", key.slice("metrics_".length)];
  if (key === "max_attempts" || key === "query_placement_for_availability_zone") return ["scheduler", key];
  if (key === "service_down_time" || key === "default_availability_zone") return ["DEFAULT", key];
  return ["filter_scheduler", key];
}

function guard<T>(
  group: string,
  option: string,
  fn: () => T,
  locate: (key: string) => [string, string] = (key) => [group, key],
): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidSchedulerConfigError) throw err;
    if (err instanceof z.ZodError) {
      const issue = err.issues[0];
      const [g, name] = issue && issue.path.length > 0 ? locate(String(issue.path[0])) : [group, option];
      throw new InvalidSchedulerConfigError(g, name, issue?.message ?? "invalid value", err);
    }
    throw err;
  }
}
