export {
  API_VERSION_HEADER,
  ApiVersion,
  LEGACY_API_VERSION_HEADER,
  MAX_API_VERSION,
  MAX_PROXY_API_VERSION,
  MIN_API_VERSION,
} from "./api-version.js";
export { ComputeApiError, ServerWaitError } from "./compute-api-error.js";
export {
  ComputeClient,
  type ComputeClientOptions,
  type RawResponse,
  type WaitOptions,
} from "./compute-client.js";
/** Host aggregate request bodies (os-aggregates). */
export {
  aggregateAddHostBodySchema,
  aggregateCreateBodySchema,
  aggregateRemoveHostBodySchema,
  aggregateSetMetadataBodySchema,
  aggregateUpdateBodySchema,
  azNameParam,
} from "./schemas/aggregates.js";
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
export { type Link, linkSchema } from "./schemas/link.js";
/** Resize and cold-migration action bodies. */
export {
  confirmResizeActionSchema,
  migrateActionSchema,
  migrateActionSchemaV256,
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
