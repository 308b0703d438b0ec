// @nova/runtime: what the nova-ts apps share to become processes. This entry point loads no service package;
// each service's builders are in their own entry point (`@nova/runtime/compute`, `/conductor`, `/scheduler`,
// `/api`, `/databases`) so a process loads only its own (a compute never loads a database driver).

export { loadImageCatalog } from "./image-catalog.js";
export { createLogger, type LoggerOptions, type NovaLogger } from "./logger.js";
export { PluginLoadError, type PluginLoadProblem } from "./plugin-load-error.js";
export {
  type LoadPluginOptions,
  loadPlugin,
  type PluginSpecifier,
  parsePluginSpecifier,
} from "./plugin-loader.js";
export { type RunUntilSignalOptions, runUntilSignal } from "./run-service.js";
export type { RunnableService } from "./runnable-service.js";
export {
  createServiceTelemetry,
  metricsListen,
  type ServiceTelemetry,
} from "./service-telemetry.js";
export {
  type LoadedServiceGroupDriver,
  loadServiceGroupDriver,
  ServiceGroupDriverConfigError,
  serviceGroupDriverOf,
} from "./servicegroup-driver.js";
export { type ServiceContext, type ServiceSet, startService } from "./start-service.js";
export { createTransport } from "./transport.js";
