// @nova/compute: nova-compute as a library (manager, resource tracker, heartbeat) and its composition.

/** Guest names from Nova's instance_name_template. */
export { instanceName } from "@nova/objects";
/** The states each action accepts, and the check. */
export {
  ACTION_STATES,
  type ActionStates,
  checkActionState,
  HARD_REBOOT_STATES,
  SOFT_REBOOT_STATES,
} from "./action-states.js";
/** How a failed spawn is reported (reschedule or abort). */
export { classifySpawnFailure } from "./build-failure.js";
/** Clock and logger surfaces. */
export { type Clock, systemClock } from "./clock.js";
/** An invalid option (names it). */
export { ComputeConfigError } from "./compute-config-error.js";
/** The RPC endpoints on `compute.<host>` and the version served. */
export {
  type BuildOutcomeSink,
  type BuildRequest,
  COMPUTE_RPC_API_VERSION,
  ComputeManager,
  type ComputeManagerOptions,
} from "./compute-manager.js";
/** Composes and runs a nova-compute. */
export {
  COMPUTE_BINARY,
  ComputeService,
  type CreateComputeServiceOptions,
  createComputeService,
} from "./compute-service.js";
/** Options by nova.conf name, parsed once. */
export {
  type ComputeConfig,
  type ComputeConfigInput,
  computeConfigSchema,
  parseComputeConfig,
  periodicIntervalMs,
  resourceIntervalMs,
} from "./config.js";
/** A hypervisor failure as a Nova exception. */
export { DriverOperationFailed, fromDriverError } from "./driver-failure.js";
/** Nova instance to driver inputs. */
export {
  decodeInjectedFiles,
  toDriverFlavor,
  toDriverInstance,
  toImageMeta,
  toInstanceRef,
} from "./driver-mapping.js";
/** init_host: instances a restart left mid-operation. */
export { recoverInstances } from "./host-recovery.js";
/** One operation at a time per instance. */
export { InstanceLocks } from "./instance-locks.js";
export { type Logger, silentLogger } from "./logger.js";
/** A task run every interval without overlapping itself. */
export { PeriodicTask } from "./periodic-task.js";
/** Lifecycle events to database power and vm states. */
export { PowerStateSync, type PowerStateSyncOptions } from "./power-state-sync.js";
/** The compute node reporter, and the usage fields it leaves to the scheduler. */
export { ResourceTracker, type ResourceTrackerOptions, USAGE_FIELDS } from "./resource-tracker.js";
