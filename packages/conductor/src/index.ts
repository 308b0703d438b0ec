// @nova/conductor: nova-conductor as a library. What a composer of a control plane needs: build the
// service from its dependencies, start it, stop it; its configuration; the error start() may raise; and the
// heartbeat store that other deployments (a bench, a second conductor) read the services table through.

/** The parts a running ConductorService exposes, as types (their constructors stay internal). */
export type { BuildTimeoutMonitor } from "./build-timeout-monitor.js";
/** How a (super) conductor reaches the cell of a host or an instance; the one-cell answer. */
export { type CellTarget, type CellTargets, singleCellTargets } from "./cell-targets.js";
export type { ComputeTaskManager } from "./compute-task-manager.js";
export type { ConductorObjectManager } from "./conductor-object-manager.js";
/** The composition function the nova-conductor app and the all-in-one call, and what it returns. */
export {
  CONDUCTOR_BINARY,
  type ConductorService,
  type ConductorServiceDeps,
  createConductorService,
} from "./conductor-service.js";
/** Options by nova.conf name. */
export { type ConductorConfig, type ConductorConfigInput, parseConductorConfig } from "./config.js";
/** Heartbeats on the cell database's services table. */
export { DbHeartbeatStore } from "./db-heartbeat-store.js";
/** Raised by start() when the databases do not name a cell to build in. */
export { ConductorSetupError } from "./errors/conductor-setup-error.js";
/** Raised by CellTargets.forHost for a host no cell claims. */
export { HostNotMapped } from "./errors/host-not-mapped-error.js";
