// @nova/compute: nova-compute as a library. A control plane composes it with createComputeService; the
// manager, resource tracker and periodic tasks inside stay internal.

/** An invalid option (names it). */
export { ComputeConfigError } from "./compute-config-error.js";
/** The RPC endpoints on `compute.<host>` (reached through {@link ComputeService.manager}). */
export type { ComputeManager } from "./compute-manager.js";
/** Composes and runs a nova-compute. */
export {
  COMPUTE_BINARY,
  ComputeService,
  type CreateComputeServiceOptions,
  createComputeService,
} from "./compute-service.js";
/** Options by nova.conf name, parsed once. */
export {
  type ComputeConfig,
  type ComputeConfigInput,
  computeConfigSchema,
  parseComputeConfig,
} from "./config.js";
/** The compute node reporter (reached through {@link ComputeService.resourceTracker}). */
export type { ResourceTracker } from "./resource-tracker.js";
