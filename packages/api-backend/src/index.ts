export { DbComputeBackend, type DbComputeBackendDeps } from "./db-compute-backend.js";
