import type { HeartbeatSender, ServiceKey } from "@nova/servicegroup";

/** A service row as {@link ServiceRegistry.register} left it. */
export interface RegisteredService {
  /** The row's report_count: heartbeats count on from it. */
  readonly reportCount: number;
  /** True when registering already recorded a first heartbeat: the next one is due one report_interval later. */
  readonly reported?: boolean;
}

/**
 * Where a service's row lives and its heartbeats go: through nova-conductor for a service without database
 * access ({@link ConductorServiceRegistry}), straight into the store for nova-conductor itself
 * ({@link RecordingServiceRegistry}). It sends the heartbeats {@link NovaService}'s service group reports.
 */
export interface ServiceRegistry extends HeartbeatSender {
  /** Gets the service's row or creates it (Nova's `Service.get_by_host_and_binary`, else `Service.create`). */
  register(service: ServiceKey): Promise<RegisteredService>;
  /** Called last when the service stops, after it left its group (flush what the heartbeats wrote). */
  close?(): Promise<void>;
}
