// @nova/scheduler-service: nova-scheduler as a library. Serves select_destinations (RPC API 4.5) and the
// computes' instance fanouts on the `scheduler` topic, over host states kept current from the cell database.
// What a composer of a control plane needs: build the service, start it, stop it; its configuration; its errors.

/** Configuration from nova.conf groups, parsed once. */
export {
  type OptionGroupInput,
  parseSchedulerServiceConfig,
  type SchedulerServiceConfig,
  type SchedulerServiceConfigInput,
} from "./config.js";
/** The host states kept between requests (what `SchedulerService.hostStates` is). */
export type { HostStateCache, HostStateCacheStats } from "./host-state-cache.js";
/** The RPC endpoint (what `SchedulerService.manager` is). */
export type { SchedulerManager, SchedulerManagerStats } from "./scheduler-manager.js";
/** The composition function the nova-scheduler app and the all-in-one call, and what it returns. */
export {
  createSchedulerService,
  SCHEDULER_BINARY,
  type SchedulerService,
  type SchedulerServiceDeps,
} from "./scheduler-service.js";
/** Errors, each with a stable `code`. */
export {
  CellNotAnsweringError,
  CellUnresolvedError,
  InvalidSchedulerConfigError,
  InvalidSchedulingRequestError,
  SchedulerServiceError,
  type SchedulerServiceErrorCode,
} from "./scheduler-service-error.js";
