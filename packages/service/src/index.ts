// @nova/service: one Nova service's life (nova/service.py and nova/manager.py), shared by nova-compute,
// nova-conductor and nova-scheduler: RPC server, service row, heartbeats, periodic tasks, graceful drain.

export { ConductorServiceRegistry } from "./conductor-service-registry.js";
export { NovaService, type NovaServiceOptions } from "./nova-service.js";
export { RecordingServiceRegistry } from "./recording-service-registry.js";
export { ServiceLifecycleError } from "./service-lifecycle-error.js";
export type { ServiceManager, ServicePeriodicTask } from "./service-manager.js";
export type { RegisteredService, ServiceRegistry } from "./service-registry.js";
