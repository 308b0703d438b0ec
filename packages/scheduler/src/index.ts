/** Options under Nova's names, their defaults and the parser. */
export {
  ALL_WEIGHERS,
  DEFAULT_ENABLED_FILTERS,
  parseSchedulerConfig,
  type SchedulerConfig,
  schedulerConfigSchema,
} from "./config.js";
/** The structured explanation of a scheduling decision. */
export {
  type RejectedHost,
  type SchedulingExplanation,
  type StageReport,
  summarizeExplanation,
  type WeighedHostReport,
  type WeigherScore,
} from "./explanation.js";
/** The filter plug-in interface. */
export type { FilterRequest, HostFilter, HostIndex, PreparedFilter } from "./filters/host-filter.js";
/** Raised by ImagePropertiesFilter on an unknown architecture, hypervisor type or vm mode (as Nova does). */
export { InvalidImagePropertyError } from "./filters/image-properties-filter.js";
/** The state store and its errors. */
export { type Consumption, HostManager, UnknownHostError } from "./host-manager.js";
/** The scheduler's view of one compute node. */
export { HostState } from "./host-state.js";
/** Raised when no host can take a request. */
export { NoValidHostError } from "./no-valid-host-error.js";
/** Raised when a custom filter or weigher throws or answers garbage; the request fails, not the scheduler. */
export { PluginFailedError } from "./plugin-failed-error.js";
/** Wrappers that contain a custom filter or weigher (the registry applies them to what it is given). */
export { guardFilter, guardWeigher } from "./plugin-guard.js";
/** Raised where Nova's Python would raise inside a filter. */
export { PythonSemanticsError } from "./python-semantics.js";
/** Built-in plug-ins and the registry for custom ones. */
export { BUILTIN_FILTERS, BUILTIN_WEIGHERS, PluginRegistry, UnknownPluginError } from "./registry.js";
/** The scheduler itself. */
export {
  Scheduler,
  type SchedulerDeps,
  type SelectDestinationsOptions,
  type SelectDestinationsResult,
  type Selection,
} from "./scheduler.js";
/** What a scheduler service reports about each decision (metrics, the live console). */
export type { SchedulingDecision, SchedulingObserver } from "./scheduling-observer.js";
/** The plain input types. */
export type {
  AggregateInput,
  ComputeNodeUsage,
  FlavorSpec,
  HostInput,
  InstanceGroupSpec,
  PciPoolInput,
  RequestedDestination,
  RequestSpec,
  ServiceInput,
} from "./types.js";
/** The weigher plug-in interface and the multiplier helper. */
export {
  aggregateMultiplier,
  type HostWeigher,
  multiplierFor,
  type PreparedWeigher,
  type WeighRequest,
} from "./weighers/host-weigher.js";
/** Raised by MetricsWeigher when a required metric is missing. */
export { ComputeHostMetricNotFoundError } from "./weighers/metrics-weigher.js";
