export {
  API_VERSION_HEADER,
  ApiVersion,
  LEGACY_API_VERSION_HEADER,
  MAX_API_VERSION,
  MAX_PROXY_API_VERSION,
  MIN_API_VERSION,
} from "./api-version.js";
export type {
  ApplicationCredentialAuth,
  KeystoneAuthOptions,
  PasswordAuth,
  TokenAuth,
} from "./auth/keystone-auth-options.js";
export { KeystoneSession, type KeystoneToken } from "./auth/keystone-session.js";
export { ComputeApiError, ServerWaitError, type ServerWaitFault } from "./compute-api-error.js";
export {
  ComputeClient,
  type ComputeClientOptions,
  type RequestOptions,
  type WaitOptions,
} from "./compute-client.js";
export {
  type CloudConnection,
  cloudsYamlSearchPath,
  type FromEnvironmentOptions,
  fromEnvironment,
} from "./config/cloud-config.js";
export { parseYamlSubset, type YamlValue } from "./config/yaml-subset.js";
export { type CreateComputeClientOptions, createComputeClient } from "./create-compute-client.js";
export { BadRequestError } from "./errors/bad-request-error.js";
export { CloudConfigError } from "./errors/cloud-config-error.js";
export { ComputeNetworkError } from "./errors/compute-network-error.js";
export { ComputeTimeoutError } from "./errors/compute-timeout-error.js";
export { ConflictError } from "./errors/conflict-error.js";
export { EndpointNotFoundError } from "./errors/endpoint-not-found-error.js";
export { ForbiddenError } from "./errors/forbidden-error.js";
export { MicroversionNotSupportedError } from "./errors/microversion-not-supported-error.js";
export { NotFoundError } from "./errors/not-found-error.js";
export { OverLimitError } from "./errors/over-limit-error.js";
export { ServerError } from "./errors/server-error.js";
export { UnauthorizedError } from "./errors/unauthorized-error.js";
export {
  type CallOptions,
  type ClientEvent,
  HttpTransport,
  type HttpTransportOptions,
  type RawResponse,
  type RetryPolicy,
  type TokenProvider,
} from "./http-transport.js";
export { type NegotiatedVersion, negotiateMicroversion } from "./microversion-negotiation.js";
export { type Page, paginate } from "./paginate.js";
export { AggregatesResource } from "./resources/aggregates.js";
export { AvailabilityZonesResource } from "./resources/availability-zones.js";
export { type FlavorAccess, FlavorsResource } from "./resources/flavors.js";
export { HypervisorsResource } from "./resources/hypervisors.js";
export { KeyPairsResource } from "./resources/keypairs.js";
export { type QuotaSet, QuotasResource } from "./resources/quotas.js";
export { ServerGroupsResource } from "./resources/server-groups.js";
export { ServersResource, type ServerUpdate } from "./resources/servers.js";
export { ServicesResource } from "./resources/services.js";
/** Host aggregates as shown. */
export { type Aggregate, aggregateSchema } from "./schemas/aggregate-bodies.js";
/** Host aggregate request bodies (os-aggregates). */
export {
  aggregateAddHostBodySchema,
  aggregateCreateBodySchema,
  aggregateRemoveHostBodySchema,
  aggregateSetMetadataBodySchema,
  aggregateUpdateBodySchema,
  azNameParam,
} from "./schemas/aggregates.js";
export { type AvailabilityZone, availabilityZoneSchema } from "./schemas/availability-zones.js";
export {
  FAULT_NAMES,
  type FaultBody,
  faultBodySchema,
  faultDetailSchema,
  faultNameFor,
} from "./schemas/fault.js";
export {
  addTenantAccessRequestSchema,
  type CreateFlavorRequest,
  createExtraSpecsRequestSchema,
  createFlavorRequestSchemaFor,
  createFlavorRequestSchemaV21,
  createFlavorRequestSchemaV255,
  extraSpecsParam,
  FLAVOR_MAX_INT,
  FLAVOR_MAX_RXTX_FACTOR,
  flavorDescriptionParam,
  removeTenantAccessRequestSchema,
  updateExtraSpecRequestSchema,
  updateFlavorRequestSchema,
} from "./schemas/flavor-manage.js";
export {
  FLAVOR_SORT_KEYS,
  type Flavor,
  type FlavorListQuery,
  type FlavorSummary,
  flavorSchema,
  flavorSummarySchema,
  listFlavorsDetailResponseSchema,
  listFlavorsResponseSchema,
  showFlavorResponseSchema,
} from "./schemas/flavors.js";
export { type Hypervisor, type HypervisorListQuery, hypervisorSchema } from "./schemas/hypervisors.js";
export {
  type Image,
  type ImageListQuery,
  type ImageSummary,
  imageSchema,
  imageSummarySchema,
  listImagesDetailResponseSchema,
  listImagesResponseSchema,
  showImageResponseSchema,
} from "./schemas/images.js";
export { type InstanceAction, instanceActionSchema } from "./schemas/instance-actions.js";
export {
  type CreatedKeyPair,
  type CreateKeyPairRequest,
  createdKeyPairSchema,
  createKeyPairRequestSchemaFor,
  createKeyPairRequestSchemaV21,
  createKeyPairRequestSchemaV22,
  createKeyPairRequestSchemaV210,
  createKeyPairRequestSchemaV292,
  createKeyPairResponseSchema,
  KEY_PAIR_TYPES,
  type KeyPair,
  type KeyPairListQuery,
  type KeyPairSummary,
  keyPairSchema,
  keyPairSummarySchema,
  listKeyPairsResponseSchema,
  showKeyPairResponseSchema,
} from "./schemas/keypairs.js";
export { type Limits, limitsResponseSchema } from "./schemas/limits.js";
export { type Link, linkSchema } from "./schemas/link.js";
/** Resize, cold- and live-migration action bodies. */
export {
  confirmResizeActionSchema,
  evacuateActionSchema,
  evacuateActionSchemaV214,
  evacuateActionSchemaV229,
  forceCompleteActionSchema,
  migrateActionSchema,
  migrateActionSchemaV256,
  migrateLiveActionSchema,
  migrateLiveActionSchemaV225,
  migrateLiveActionSchemaV230,
  resizeActionSchema,
  revertResizeActionSchema,
} from "./schemas/migrations.js";
export { isUuidLike, tagParam, uuidPattern } from "./schemas/parameter-types.js";
export {
  quotaLimitParam,
  updateQuotaClassSetRequestSchemaFor,
  updateQuotaClassSetRequestSchemaV21,
  updateQuotaClassSetRequestSchemaV250,
  updateQuotaClassSetRequestSchemaV257,
  updateQuotaSetRequestSchemaFor,
  updateQuotaSetRequestSchemaV21,
  updateQuotaSetRequestSchemaV236,
  updateQuotaSetRequestSchemaV257,
} from "./schemas/quota-sets.js";
export { RESET_STATES, resetStateActionSchema } from "./schemas/server-admin-actions.js";
export {
  createServerGroupRequestSchemaFor,
  createServerGroupRequestSchemaV21,
  createServerGroupRequestSchemaV215,
  createServerGroupRequestSchemaV264,
  listServerGroupsResponseSchema,
  SERVER_GROUP_POLICIES_V21,
  SERVER_GROUP_POLICIES_V215,
  type ServerGroup,
  type ServerGroupListQuery,
  serverGroupSchema,
  showServerGroupResponseSchema,
} from "./schemas/server-groups.js";
/** Request and response schemas of rebuild, shelve, rescue and snapshots. */
export {
  createBackupActionSchema,
  createImageActionSchema,
  createImageResponseSchema,
  type RebuildAction,
  rebuildActionSchemaFor,
  rebuildActionSchemaV21,
  rebuildActionSchemaV219,
  rebuildActionSchemaV254,
  rebuildActionSchemaV257,
  rebuildActionSchemaV263,
  rebuildActionSchemaV290,
  rebuildResponseSchema,
  rescueActionSchema,
  rescueResponseSchema,
  unshelveActionSchemaFor,
  unshelveActionSchemaV277,
  unshelveActionSchemaV291,
} from "./schemas/server-lifecycle.js";
export {
  lockActionSchemaV273,
  serverMetadataItemRequestSchema,
  serverMetadataRequestSchema,
  serverTagRequestSchema,
  serverTagsRequestSchema,
  updateServerRequestSchemaFor,
  updateServerRequestSchemaV21,
  updateServerRequestSchemaV219,
  updateServerRequestSchemaV290,
} from "./schemas/server-updates.js";
export {
  type CreateServerRequest,
  type CreateServerResponse,
  consoleOutputResponseSchema,
  createServerRequestSchemaFor,
  createServerRequestSchemaV21,
  createServerRequestSchemaV219,
  createServerRequestSchemaV232,
  createServerRequestSchemaV237,
  createServerRequestSchemaV242,
  createServerRequestSchemaV252,
  createServerRequestSchemaV274,
  createServerRequestSchemaV290,
  createServerResponseSchema,
  getConsoleOutputActionSchema,
  type ListServersDetailResponse,
  type ListServersResponse,
  listServersDetailResponseSchema,
  listServersResponseSchema,
  pauseActionSchema,
  REBOOT_TYPES,
  rebootActionSchema,
  SERVER_STATUSES,
  type Server,
  type ServerFault,
  type ServerListQuery,
  type ServerStatus,
  type ServerSummary,
  serverFaultSchema,
  serverSchema,
  serverSummarySchema,
  showServerResponseSchema,
  startActionSchema,
  stopActionSchema,
  unpauseActionSchema,
} from "./schemas/servers.js";
export {
  serviceActionBodySchema,
  serviceActionBodySchemaV211,
  serviceUpdateBodySchemaV253,
} from "./schemas/service-updates.js";
export {
  listServicesResponseSchema,
  type Service,
  type ServiceListQuery,
  serviceSchema,
} from "./schemas/services.js";
export {
  type VersionResponse,
  type VersionsResponse,
  versionResponseSchema,
  versionsResponseSchema,
} from "./schemas/versions.js";
export type { ServerWaitOptions } from "./server-waiter.js";
export type { Strict } from "./strict.js";
