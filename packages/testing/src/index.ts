export { freePort } from "./free-port.js";
export {
  KeystoneServer,
  type KeystoneServerOptions,
  type KeystoneUser,
  keystoneAvailable,
} from "./keystone-server.js";
export type { TestDatabase } from "./mariadb-database.js";
export { createTestDatabase, defaultMariaDb } from "./mariadb-database.js";
export {
  type AppProcess,
  CLUSTER_IMAGE_ID,
  type NovaApp,
  type NovaConfGroups,
  ProcessCluster,
  type ProcessClusterOptions,
} from "./process-cluster.js";
export type { BrokerEndpoint, ManagedExchange, ManagedQueue, TestVhost } from "./rabbit-vhost.js";
export { createTestVhost, defaultBroker } from "./rabbit-vhost.js";
export { TcpProxy } from "./tcp-proxy.js";
export {
  type TempestCase,
  tempestAvailable,
  tempestViolations,
  validateWithTempest,
} from "./tempest-schemas.js";
