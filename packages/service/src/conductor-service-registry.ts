import { SERVICE_VERSION, type Service } from "@nova/objects";
import { adminContext, type ConductorAPI, ConductorObjectsAPI } from "@nova/rpcapi";
import {
  type HeartbeatReport,
  type RecordedHeartbeat,
  type ServiceKey,
  ServiceSaveHeartbeatSender,
} from "@nova/servicegroup";
import type { RegisteredService, ServiceRegistry } from "./service-registry.js";

/**
 * The service row and heartbeats of a service without database access (nova-compute, nova-scheduler), kept
 * through nova-conductor as Nova does: `Service.get_by_host_and_binary` or `Service.create`, then each heartbeat
 * an `object_action(Service.save)` with report_count as its only change.
 */
export class ConductorServiceRegistry implements ServiceRegistry {
  private readonly objects: ConductorObjectsAPI;
  private heartbeat: ServiceSaveHeartbeatSender | undefined;
  private readonly registered: Promise<Partial<Service>>;
  private resolveRegistered!: (row: Partial<Service>) => void;

  /** `conductor` is the ConductorAPI the service calls (its rpc_response_timeout bounds each call). */
  constructor(private readonly conductor: ConductorAPI) {
    this.objects = new ConductorObjectsAPI(conductor);
    this.registered = new Promise((resolve) => {
      this.resolveRegistered = resolve;
    });
  }

  /** The service row as the conductor last confirmed it; undefined until registered. */
  get service(): Partial<Service> | undefined {
    return this.heartbeat?.service;
  }

  /** Resolves with the service row once it is registered (never, if the service stops first). */
  whenRegistered(): Promise<Partial<Service>> {
    return this.registered;
  }

  async register(service: ServiceKey): Promise<RegisteredService> {
    const ctx = adminContext();
    const row =
      (await this.objects.serviceGetByHostAndBinary(ctx, service.host, service.binary)) ??
      (await this.objects.serviceCreate(ctx, {
        host: service.host,
        binary: service.binary,
        topic: service.topic,
        report_count: 0,
        disabled: false,
        forced_down: false,
        version: SERVICE_VERSION,
      }));
    this.heartbeat = new ServiceSaveHeartbeatSender(
      (objinst, objmethod) => this.conductor.objectAction(adminContext(), objinst, objmethod),
      row,
    );
    this.resolveRegistered(row);
    return { reportCount: row.report_count ?? 0 };
  }

  sendReport(service: ServiceKey, report: HeartbeatReport): Promise<RecordedHeartbeat> {
    if (!this.heartbeat) {
      return Promise.reject(new TypeError(`${service.binary} on ${service.host} has no service row yet`));
    }
    return this.heartbeat.sendReport(service, report);
  }
}
