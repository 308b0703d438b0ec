import type { Clock, Logger } from "@nova/core";
import { MessagingTimeout, type Transport } from "@nova/messaging";
import { SERVICE_VERSION, type Service } from "@nova/objects";
import { adminContext, ConductorAPI, ConductorObjectsAPI, SCHEDULER_TOPIC } from "@nova/rpcapi";
import {
  createDbDriver,
  parseServiceGroupConfig,
  ServiceGroup,
  ServiceSaveHeartbeatSender,
} from "@nova/servicegroup";

/** nova-scheduler's binary name, as its service row records it. */
export const SCHEDULER_BINARY = "nova-scheduler";

/** What a SchedulerServiceRegistration needs. */
export interface SchedulerServiceRegistrationOptions {
  /** The bus the conductor is called on. */
  transport: Transport;
  /** Times heartbeats and the waits between registration attempts. */
  clock: Clock;
  /** Where registration attempts and heartbeats are logged. */
  logger: Logger;
  /** `[DEFAULT] host`. */
  host: string;
  /** `[DEFAULT] report_interval` (0: the row is registered but no heartbeat is sent, as in Nova). */
  reportInterval: number;
  /** `[DEFAULT] service_down_time`. */
  serviceDownTime: number;
  /** `[DEFAULT] rpc_response_timeout`: how long each call to the conductor waits. */
  rpcResponseTimeout: number;
  /** Milliseconds between attempts when the conductor refused (default report_interval, at least 1 s). */
  retryDelayMs?: number;
}

/**
 * The scheduler's service row and heartbeat, kept through the conductor as nova-compute keeps its own
 * (Service.get_by_host_and_binary or Service.create, then Service.save heartbeats via the servicegroup db
 * driver), so `os-services` lists nova-scheduler and the conductor's down-service check covers it. It runs in
 * the background: the scheduler serves select_destinations whether or not a conductor answers yet.
 */
export class SchedulerServiceRegistration {
  private readonly conductorApi: ConductorAPI;
  private readonly conductor: ConductorObjectsAPI;
  private readonly group: ServiceGroup;
  private heartbeat: ServiceSaveHeartbeatSender | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly registered: Promise<Partial<Service>>;
  private resolveRegistered!: (row: Partial<Service>) => void;

  constructor(private readonly opts: SchedulerServiceRegistrationOptions) {
    this.conductorApi = new ConductorAPI({
      transport: opts.transport,
      rpcResponseTimeout: opts.rpcResponseTimeout,
    });
    this.conductor = new ConductorObjectsAPI(this.conductorApi);
    this.group = new ServiceGroup({
      config: parseServiceGroupConfig({
        report_interval: opts.reportInterval,
        service_down_time: opts.serviceDownTime,
        servicegroup_driver: "db",
      }),
      driver: createDbDriver({
        sender: {
          sendReport: (service, report) => {
            if (!this.heartbeat) throw new Error("nova-scheduler has no service row yet");
            return this.heartbeat.sendReport(service, report);
          },
        },
      }),
      clock: opts.clock,
      logger: opts.logger,
    });
    this.registered = new Promise((resolve) => {
      this.resolveRegistered = resolve;
    });
  }

  /** The service row as the conductor last confirmed it, once registered. */
  get service(): Partial<Service> | undefined {
    return this.heartbeat?.service;
  }

  /** Resolves with the service row once it is registered (never, if stopped first). */
  whenRegistered(): Promise<Partial<Service>> {
    return this.registered;
  }

  /** Starts registering in the background; heartbeats follow once the row exists. */
  start(): void {
    this.running ??= this.register();
  }

  /** Stops retrying and heartbeating; a call to the conductor under way is not waited for. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.group.leaveAll();
  }

  private async register(): Promise<void> {
    const { host, logger } = this.opts;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const row = await this.getOrCreate();
        if (this.stopped) return;
        this.heartbeat = new ServiceSaveHeartbeatSender(
          (objinst, objmethod) => this.conductorApi.objectAction(adminContext(), objinst, objmethod),
          row,
        );
        this.group.join(
          { host, binary: SCHEDULER_BINARY, topic: SCHEDULER_TOPIC },
          { initialReportCount: row.report_count ?? 0 },
        );
        logger.info({ host, service_id: row.id }, "nova-scheduler service registered");
        this.resolveRegistered(row);
        return;
      } catch (err) {
        if (this.stopped) return;
        logger.warn(
          { host, attempt, err: err instanceof Error ? err.message : String(err) },
          MessagingTimeout.isInstance(err)
            ? "Timed out waiting for nova-conductor to register the nova-scheduler service; retrying"
            : "Could not register the nova-scheduler service; retrying",
        );
        // A timeout already waited rpc_response_timeout; any other failure waits before the next try.
        if (!MessagingTimeout.isInstance(err)) await this.pause();
      }
    }
  }

  private pause(): Promise<void> {
    const ms = this.opts.retryDelayMs ?? Math.max(1, this.opts.reportInterval) * 1000;
    return new Promise((resolve) => {
      const handle = this.opts.clock.setTimer(ms, () => {
        this.wake = undefined;
        resolve();
      });
      this.wake = () => {
        handle.cancel();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async getOrCreate(): Promise<Partial<Service>> {
    const ctx = adminContext();
    const found = await this.conductor.serviceGetByHostAndBinary(ctx, this.opts.host, SCHEDULER_BINARY);
    if (found) return found;
    return this.conductor.serviceCreate(ctx, {
      host: this.opts.host,
      binary: SCHEDULER_BINARY,
      topic: SCHEDULER_TOPIC,
      report_count: 0,
      disabled: false,
      forced_down: false,
      version: SERVICE_VERSION,
    });
  }
}
