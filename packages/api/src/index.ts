export type { AggregateBackend, AggregateRecord, AggregateUpdate } from "./aggregate-backend.js";
export { AggregateOperations, type AggregateStore } from "./aggregate-operations.js";
export type { ApiConfig, ApiConfigInput } from "./api-config.js";
/** Hooks for watching API requests (metrics, traces). */
export type { ApiObserver, ApiRequestObservation, ApiRequestOutcome } from "./api-observer.js";
export { type ApiServer, type ApiServerOptions, createApiServer } from "./api-server.js";
export type {
  ComputeBackend,
  CreateServerSpec,
  FlavorQuery,
  FlavorRecord,
  ImageQuery,
  ImageRecord,
  InstanceFaultRecord,
  ServerAction,
  ServerAddress,
  ServerQuery,
  ServerRecord,
  ServerRef,
  ServiceRecord,
} from "./compute-backend.js";
export {
  type AggregateAction,
  AggregateHostExistsError,
  AggregateHostNotFoundError,
  AggregateNameExistsError,
  AggregateNotFoundError,
  ComputeHostNotFoundError,
  InvalidAggregateActionError,
} from "./errors/aggregate-errors.js";
export { BackendUnavailableError } from "./errors/backend-unavailable.js";
export { ComputeBackendError } from "./errors/compute-backend-error.js";
export { ConflictError } from "./errors/conflict.js";
export { ConsoleNotAvailableError } from "./errors/console-not-available.js";
export {
  FlavorAccessExistsError,
  FlavorAccessNotFoundError,
  FlavorExistsError,
  FlavorExtraSpecNotFoundError,
  FlavorIdExistsError,
} from "./errors/flavor-errors.js";
export { FlavorNotFoundError } from "./errors/flavor-not-found.js";
export { HypervisorNotFoundError } from "./errors/hypervisor-not-found.js";
export { ImageNotFoundError } from "./errors/image-not-found.js";
export { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
export { InstanceIsLockedError } from "./errors/instance-is-locked.js";
export { InstanceNotFoundError } from "./errors/instance-not-found.js";
export { InstanceNotReadyError } from "./errors/instance-not-ready.js";
export { InvalidKeyPairError } from "./errors/invalid-key-pair.js";
export { InvalidRequestError } from "./errors/invalid-request.js";
export { KeyPairExistsError } from "./errors/key-pair-exists.js";
export { KeyPairNotFoundError } from "./errors/key-pair-not-found.js";
export { InvalidTokenError, KeystoneUnavailableError } from "./errors/keystone-errors.js";
export { MarkerNotFoundError } from "./errors/marker-not-found.js";
/** No such migration for the server (404). */
export { MigrationNotFoundError } from "./errors/migration-not-found.js";
export { QuotaExceededError } from "./errors/quota-exceeded.js";
export { ServerGroupNotFoundError } from "./errors/server-group-not-found.js";
export { ServiceNotFoundError } from "./errors/service-not-found.js";
export type { FlavorCreateSpec, FlavorManagementBackend } from "./flavor-management-backend.js";
export {
  type HostServer,
  type HypervisorQuery,
  type HypervisorRecord,
  type HypervisorResources,
  type HypervisorStatistics,
  type ServiceChanges,
  sumHypervisorStatistics,
} from "./host-records.js";
export type { HypervisorUptimeBackend } from "./hypervisor-uptime-backend.js";
export type {
  InstanceActionBackend,
  InstanceActionEventRecord,
  InstanceActionQuery,
  InstanceActionRecord,
  ResetState,
} from "./instance-action-backend.js";
export {
  type GeneratedKeyPair,
  generateKeyPair,
  type KeyPairType,
  keyPairFingerprint,
} from "./key-pair-crypto.js";
export type { CreatedKeyPair, KeyPairCreateSpec, KeyPairPage, KeyPairRecord } from "./key-pair-record.js";
export {
  type AuthenticatedCaller,
  KeystoneAuth,
  type KeystoneAuthDeps,
  type TokenIdentity,
} from "./keystone/keystone-auth.js";
export type {
  KeystoneAuthtokenConfig,
  KeystoneAuthtokenInput,
} from "./keystone/keystone-authtoken-config.js";
/** Resize, cold migration and os-migrations. */
export type {
  EvacuateSpec,
  LiveMigrateSpec,
  MigrationBackend,
  MigrationQuery,
  MigrationRecord,
} from "./migration-backend.js";
export type { PolicyCheck, PolicyTarget } from "./policy/policy-check.js";
export { parsePolicyCheck } from "./policy/policy-check.js";
export { PolicyEnforcer, type PolicyEnforcerOptions } from "./policy/policy-enforcer.js";
export type {
  QuotaBackend,
  QuotaDetail,
  QuotaUsageSet,
  UsageBackend,
  UsageQuery,
  UsageServer,
} from "./quota-backend.js";
export type { RequestContext, ServiceIdentity } from "./request-context.js";
export { checkServerAction } from "./server-action-rules.js";
export type {
  ServerGroupBackend,
  ServerGroupCreateSpec,
  ServerGroupPolicy,
  ServerGroupQuery,
  ServerGroupRecord,
} from "./server-group-backend.js";
export type {
  RebuildSpec,
  ServerLifecycleAction,
  ServerLifecycleBackend,
  SnapshotSpec,
  UnshelveSpec,
} from "./server-lifecycle-backend.js";
export type { ServerTagAdd, ServerUpdate, ServerUpdateBackend } from "./server-update-backend.js";
export {
  checkMetadataChange,
  isExpectedLockedBy,
  lockedByFor,
  MAX_SERVER_TAGS,
  matchesTagFilters,
  SERVER_CHANGE_VM_STATES,
} from "./server-update-rules.js";
