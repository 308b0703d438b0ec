// @nova/objects: Nova's domain types, their zod schemas, and the versioned-object wire form.
// Field names are Nova's (snake_case) on purpose: they are what travels over RPC and what the databases hold.

/** A Glance v2-shaped image and an image list query, as nova-api lists them. */
export type { ImageQuery, ImageRecord } from "./image-record.js";
/** Builds' reschedules and faults as they happen, for metrics. */
export type { InstanceActivityObserver } from "./instance-activity-observer.js";
/** Domain objects. */
export {
  type BlockDeviceMapping,
  BlockDeviceMappingCodec,
  BlockDeviceMappingListCodec,
} from "./objects/block-device-mapping.js";
export { type BuildRequest, BuildRequestCodec } from "./objects/build-request.js";
export {
  CELL0_UUID,
  type CellMapping,
  CellMappingCodec,
  CellMappingListCodec,
} from "./objects/cell-mapping.js";
export { type ComputeNode, ComputeNodeCodec, ComputeNodeListCodec } from "./objects/compute-node.js";
export { type Flavor, FlavorCodec, FlavorListCodec } from "./objects/flavor.js";
export { type HostMapping, HostMappingCodec } from "./objects/host-mapping.js";
export { type Instance, InstanceCodec, InstanceListCodec } from "./objects/instance.js";
export {
  type InstanceAction,
  InstanceActionCodec,
  type InstanceActionEvent,
  InstanceActionEventCodec,
  InstanceActionEventListCodec,
  InstanceActionListCodec,
} from "./objects/instance-action.js";
export { type InstanceFault, InstanceFaultCodec, InstanceFaultListCodec } from "./objects/instance-fault.js";
export {
  type InstanceGroup,
  InstanceGroupCodec,
  InstanceGroupListCodec,
  SERVER_GROUP_POLICIES,
} from "./objects/instance-group.js";
export { type InstanceInfoCache, InstanceInfoCacheCodec } from "./objects/instance-info-cache.js";
export { type InstanceMapping, InstanceMappingCodec } from "./objects/instance-mapping.js";
export { type KeyPair, KeyPairCodec, KeyPairListCodec } from "./objects/key-pair.js";
export {
  MIGRATION_TYPES,
  type Migration,
  MigrationCodec,
  MigrationListCodec,
  type MigrationType,
} from "./objects/migration.js";
export { persistentFields, timestampFields } from "./objects/persistent-fields.js";
export {
  DEFAULT_QUOTAS,
  QUOTA_RESOURCES,
  type QuotaResource,
  type QuotaUsage,
  quotaUsageSchema,
} from "./objects/quota.js";
export { type RequestSpec, RequestSpecCodec, requestSpecImageProperties } from "./objects/request-spec.js";
export { type Selection, SelectionCodec } from "./objects/selection.js";
export { SERVICE_VERSION, type Service, ServiceCodec, ServiceListCodec } from "./objects/service.js";
export { tagListNames, tagListPrimitive } from "./objects/tag-list.js";
/** power_state numbers. */
export {
  isPowerState,
  POWER_STATE_NAMES,
  POWER_STATES,
  PowerState,
  type PowerStateValue,
  powerStateName,
} from "./power-state.js";
/** Nova's rules, each written once. */
export {
  AZ_METADATA_KEY,
  aggregateZone,
  hostZone,
  hostZones,
  INTERNAL_SERVICE_ZONE,
  serviceZone,
  type ZonedAggregate,
  zoneChangeRefusal,
} from "./rules/availability-zones.js";
export { extraSpecViolation } from "./rules/extra-spec-validators.js";
export {
  type FlavorResources,
  type FlavorSizes,
  instanceResources,
  resourcesFromFlavor,
} from "./rules/flavor-resources.js";
export { type InstanceFaultValues, instanceFaultFromError } from "./rules/instance-fault.js";
export { DEFAULT_INSTANCE_NAME_TEMPLATE, instanceName } from "./rules/instance-name.js";
/** The state rules of resize, migrate, confirmResize and revertResize. */
export {
  MOVE_ACTION_STATES,
  type MoveActionName,
  type MoveActionStates,
} from "./rules/move-action-states.js";
export {
  checkInstanceQuota,
  configuredQuotaDefaults,
  DEFAULT_QUOTA_CLASS,
  effectiveQuotaLimits,
  INJECTED_FILE_QUOTA_RESOURCES,
  type InstanceQuotaOutcome,
  type InstanceQuotaResource,
  type InstanceQuotaScope,
  isQuotaSetResource,
  metadataQuotaProblem,
  NETWORK_QUOTA_RESOURCES,
  overrideQuotaLimits,
  QUOTA_SET_RESOURCES,
  type QuotaLimits,
  type QuotaRows,
  type QuotaSetResource,
  quotaLimitProblem,
  type SettableQuotaRange,
  settableQuotaRange,
} from "./rules/quota-limits.js";
export {
  ALLOW_REBOOT_TASK_STATES,
  SERVER_ACTION_STATES,
  type ServerActionName,
  type ServerActionStates,
  serverActionName,
} from "./rules/server-action-states.js";
export { isServiceUp, type ServiceHeartbeat } from "./rules/service-liveness.js";
/** task_states. */
export { TASK_STATES, type TaskState, TaskStates } from "./task-state.js";
/** vm_states. */
export {
  ALLOW_HARD_REBOOT,
  ALLOW_SOFT_REBOOT,
  allowResourceRemoval,
  VM_STATES,
  type VmState,
  VmStates,
} from "./vm-state.js";
/** Registry of every modelled class; decode any RPC value. */
export { decodeNovaValue, encodeNovaObject, novaObjectCodecs } from "./wire/codec-registry.js";
/** Field constructors and field types used to define objects. */
export { type Field, type FieldValue, f, type NestedCodec } from "./wire/fields.js";
/** Codecs: define, encode, decode, track changes. */
export {
  defineObject,
  defineObjectList,
  type FieldMap,
  type ObjectCodec,
  type ObjectListCodec,
  type ObjectMeta,
  type ObjectOf,
  objectChanges,
  objectMeta,
  withChanges,
} from "./wire/object-codec.js";
/** The primitive envelope (`nova_object.*`). */
export {
  isNovaObjectPrimitive,
  NOVA_NAMESPACE,
  type NovaObjectPrimitive,
  novaObjectPrimitiveSchema,
} from "./wire/primitive.js";
/** Typed decode error. */
export { WireFormatError, type WireFormatErrorCode } from "./wire/wire-format-error.js";
