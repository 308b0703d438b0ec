export {
  type BuildAndRunArgs,
  type BuiltGuest,
  COMPUTE_TOPIC,
  ComputeAPI,
  type EvacuateRebuildArgs,
  type RebuildInstanceArgs,
  type UnshelveInstanceArgs,
} from "./compute-api.js";
export { ComputeLiveMigrationAPI, type LiveMigrateData } from "./compute-live-migration-api.js";
export { ComputeResizeAPI, type PrepResizeArgs } from "./compute-resize-api.js";
export {
  COMPUTE_TASK_NAMESPACE,
  CONDUCTOR_API_VERSION,
  CONDUCTOR_TOPIC,
  ComputeTaskAPI,
  ConductorAPI,
  type EvacuateInstanceArgs,
  type LiveMigrateInstanceArgs,
  type MigrateServerArgs,
  type ObjectActionResult,
  type ScheduleAndBuildArgs,
} from "./conductor-api.js";
export { CONDUCTOR_OBJECT_METHODS, ConductorObjectsAPI, OBJECT_VERSIONS } from "./conductor-objects-api.js";
export {
  BuildAbortException,
  ComputeHostNotFound,
  ComputeServiceUnavailable,
  ConsoleNotAvailable,
  GroupAffinityViolation,
  InstanceGroupNotFound,
  InstanceInvalidState,
  InstanceNotFound,
  MaxRetriesExceeded,
  MigrationError,
  NoValidHost,
  NovaException,
  novaException,
  novaRemoteErrors,
  RescheduledException,
  ResizeError,
  ServiceNotFound,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
} from "./nova-exceptions.js";
export {
  adminContext,
  fromWireContext,
  type NovaContext,
  toWireContext,
  userContext,
} from "./request-context.js";
export { makeRpcClient, type RpcApiOptions } from "./rpc-client-options.js";
export {
  type AggregateCastValues,
  SCHEDULER_API_VERSION,
  SCHEDULER_TOPIC,
  SchedulerAPI,
  type SelectionList,
} from "./scheduler-api.js";
