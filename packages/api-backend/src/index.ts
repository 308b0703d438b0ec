/** How nova-api reaches each cell (databases, compute clients) and Nova's scatter-gather over them. */
export { type CellAccess, type CellAnswer, type CellRef, scatterGather } from "./cell-scatter.js";
export { DbComputeBackend, type DbComputeBackendDeps } from "./db-compute-backend.js";
