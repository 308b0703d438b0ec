export { DbComputeBackend, type DbComputeBackendDeps } from "./db-compute-backend.js";
export { flavorRecord, instanceName, serverRecord } from "./server-view.js";
