export { DbComputeBackend, type DbComputeBackendDeps } from "./db-compute-backend.js";
export { type ImageCatalog, type ImageCatalogEntry, LocalImageCatalog } from "./image-catalog.js";
