// @nova/scheduler-service: nova-scheduler as a library. Serves select_destinations (RPC API 4.5) and the
// computes' instance fanouts on the `scheduler` topic, over host states kept current from the cell database.

/** ComputeFilter judged by @nova/servicegroup's liveness rule. */
export { serviceGroupComputeFilter } from "./compute-filter.js";
/** Configuration from nova.conf groups, parsed once. */
export {
  type OptionGroupInput,
  parseSchedulerServiceConfig,
  type SchedulerServiceConfig,
  type SchedulerServiceConfigInput,
} from "./config.js";
/** The one-line detail NoValidHost's reason carries. */
export { explanationSummary } from "./explanation-summary.js";
/** Mapping of Nova's objects onto @nova/scheduler's plain inputs. */
export { type HostInputExtras, hostInputFrom } from "./host-input.js";
/** The host states kept between requests. */
export { HostStateCache, type HostStateCacheOptions, type HostStateCacheStats } from "./host-state-cache.js";
export { type InstanceResources, instanceResources, schedulerRequestFrom } from "./request-spec-mapping.js";
/** The RPC endpoint: select_destinations with an atomic claim per pick, and the instance fanouts. */
export {
  type PlacedInstance,
  SchedulerManager,
  type SchedulerManagerDeps,
  type SchedulerManagerStats,
  type SelectOptions,
} from "./scheduler-manager.js";
/** The composition function the nova-scheduler app and the all-in-one call, and what it returns. */
export {
  createSchedulerService,
  SCHEDULER_BINARY,
  type SchedulerService,
  type SchedulerServiceDeps,
} from "./scheduler-service.js";
/** Errors, each with a stable `code`. */
export {
  CellUnresolvedError,
  InvalidSchedulerConfigError,
  InvalidSchedulingRequestError,
  SchedulerServiceError,
  type SchedulerServiceErrorCode,
} from "./scheduler-service-error.js";
/** The reply's building blocks (Selection primitives, allocation requests). */
export {
  ALLOCATION_REQUEST_VERSION,
  allocationRequest,
  legacyHostDict,
  type PickedHost,
  selectionPrimitive,
} from "./selection-primitive.js";
