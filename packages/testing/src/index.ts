export type { TestDatabase } from "./mariadb-database.js";
export { createTestDatabase, defaultMariaDb } from "./mariadb-database.js";
export type { BrokerEndpoint, ManagedExchange, ManagedQueue, TestVhost } from "./rabbit-vhost.js";
export { createTestVhost, defaultBroker } from "./rabbit-vhost.js";
