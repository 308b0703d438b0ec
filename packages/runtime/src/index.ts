export { ComputeDriverConfigError, createComputeDriver, createFakeDriver } from "./compute-driver.js";
export { cell0Url, DatabaseConfigError, type NovaDatabases, openNovaDatabases } from "./databases.js";
export { createLogger, type NovaLogger } from "./logger.js";
export { type RunUntilSignalOptions, runUntilSignal } from "./run-service.js";
export {
  type ApiService,
  buildApi,
  buildCompute,
  buildConductor,
  buildScheduler,
  type RunnableService,
} from "./services.js";
export { type ServiceContext, type ServiceSet, startService } from "./start-service.js";
export { createTransport } from "./transport.js";
