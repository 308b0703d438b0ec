import type { RpcEndpoint } from "@nova/messaging";

/** Something started with its service and stopped (waiting for a run under way) when it stops: core's PeriodicTask. */
export interface ServicePeriodicTask {
  /** Schedules the task's runs. */
  start(): void;
  /** Stops scheduling; resolves once a run under way has finished. */
  stop(): Promise<void>;
}

/**
 * What a service runs, as Nova's `nova/manager.py` Manager: its RPC endpoints, its periodic tasks, and the
 * hooks {@link NovaService} calls at each step of starting and stopping. Every hook is optional.
 */
export interface ServiceManager {
  /** Nova's `init_host`: before the service row is registered (the hypervisor, the cell, caches). */
  initHost?(): Promise<void>;
  /** Nova's `pre_start_hook`: the service row exists (when registered before serving), nothing is served yet. */
  preStartHook?(): Promise<void>;
  /** The RPC endpoints served on `<topic>` and `<topic>.<host>`; called once, after preStartHook. */
  endpoints(): readonly RpcEndpoint[];
  /** Nova's `post_start_hook`: the RPC server consumes. */
  postStartHook?(): Promise<void>;
  /** The periodic tasks, started once the service serves (after postStartHook) and stopped after the drain. */
  periodicTasks?(): readonly ServicePeriodicTask[];
  /**
   * Work to finish while still serving, before consuming stops: work that needs this service's own RPC server to
   * complete (the conductor's builds, whose computes report back through it).
   */
  drainWhileServing?(): Promise<void>;
  /** Work started by requests that outlives them (background builds, event handlers), after consuming stopped. */
  drain?(): Promise<void>;
  /** Nova's `cleanup_host`: after the periodic tasks stopped, before the service leaves its group. */
  cleanupHost?(): Promise<void>;
}
