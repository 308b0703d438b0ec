// @nova/conductor: nova-conductor as a library.

/** Stuck builds: instances BUILDING past instance_build_timeout go to ERROR. */
export { BuildTimeoutMonitor, type BuildTimeoutMonitorOptions } from "./build-timeout-monitor.js";
/** The compute_task API (schedule_and_build_instances) and its helpers. */
export {
  COMPUTE_TASK_MANAGER_VERSION,
  ComputeTaskManager,
  type ComputeTaskManagerOptions,
  isReschedulable,
  parseBuildArgs,
  SCHEDULE_EVENT,
} from "./compute-task-manager.js";
/** The base API's remotable object methods (object_action, object_class_action_versions). */
export {
  ConductorObjectManager,
  type ConductorObjectManagerOptions,
  instanceError,
} from "./conductor-object-manager.js";
/** The composition function the nova-conductor app and the all-in-one call. */
export {
  CONDUCTOR_BINARY,
  type ConductorService,
  type ConductorServiceDeps,
  createConductorService,
} from "./conductor-service.js";
/** Options by nova.conf name. */
export {
  type ConductorConfig,
  type ConductorConfigInput,
  conductorConfigSchema,
  parseConductorConfig,
} from "./config.js";
/** Heartbeats on the cell database's services table. */
export { DbHeartbeatStore } from "./db-heartbeat-store.js";
/** Typed errors (Nova's names where Nova has them). */
export {
  ConductorSetupError,
  InstanceActionNotFound,
  InstanceBuildTimeout,
  InvalidBuildRequest,
  ObjectActionError,
  ServiceBinaryExists,
  UnexpectedVMStateError,
} from "./errors/index.js";
/** What an instance holds on a compute node, and giving it back. */
export { flavorResources, instanceResources, releaseOnNode } from "./instance-claims.js";
/** `service.update` notifications through @nova/messaging's Notifier. */
export { ServiceUpdateNotifier } from "./service-update-notifier.js";
