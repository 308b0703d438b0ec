import type {
  HeartbeatOutcome,
  HeartbeatReport,
  HeartbeatStore,
  RecordedService,
} from "./heartbeat-store.js";
import { type ServiceKey, serviceKeyId } from "./service-record.js";

/** Heartbeats kept in this process's memory: the store of the `memory` driver, for tests. */
export class InMemoryHeartbeatStore implements HeartbeatStore {
  private readonly services = new Map<string, RecordedService>();
  /** Number of write operations, so tests can check that reports are batched. */
  writes = 0;

  /** {@inheritDoc HeartbeatStore.recordHeartbeats} */
  async recordHeartbeats(reports: readonly HeartbeatReport[], at: number): Promise<HeartbeatOutcome[]> {
    this.writes++;
    return reports.map((r) => {
      const svc = this.services.get(serviceKeyId(r));
      if (!svc) return { status: "not_found" } as const;
      const wasDown = svc.recordedDown;
      svc.reportCount = Math.max(svc.reportCount, r.reportCount);
      svc.lastSeenUp = at;
      svc.updatedAt = at;
      svc.recordedDown = false;
      return { status: "recorded", lastSeenUp: at, updatedAt: at, wasDown } as const;
    });
  }

  /** {@inheritDoc HeartbeatStore.markDown} */
  async markDown(cutoff: number, at: number): Promise<RecordedService[]> {
    const down: RecordedService[] = [];
    for (const svc of this.services.values()) {
      const last = svc.lastSeenUp ?? svc.createdAt;
      if (!svc.forcedDown && !svc.recordedDown && last < cutoff) {
        svc.recordedDown = true;
        svc.updatedAt = at;
        down.push({ ...svc });
      }
    }
    if (down.length > 0) this.writes++;
    return down;
  }

  /** {@inheritDoc HeartbeatStore.listServices} */
  async listServices(filter: { topic?: string; binary?: string } = {}): Promise<RecordedService[]> {
    return [...this.services.values()]
      .filter(
        (s) =>
          (filter.topic === undefined || s.topic === filter.topic) &&
          (filter.binary === undefined || s.binary === filter.binary),
      )
      .map((s) => ({ ...s }));
  }

  /** {@inheritDoc HeartbeatStore.ensureService} */
  async ensureService(key: ServiceKey, at: number): Promise<RecordedService> {
    const id = serviceKeyId(key);
    let svc = this.services.get(id);
    if (!svc) {
      svc = {
        ...key,
        forcedDown: false,
        disabled: false,
        disabledReason: null,
        reportCount: 0,
        lastSeenUp: null,
        createdAt: at,
        updatedAt: null,
        recordedDown: false,
      };
      this.services.set(id, svc);
      this.writes++;
    }
    return { ...svc };
  }

  /** Operator actions (os-services): force a service down or disable it. */
  update(
    key: Pick<ServiceKey, "host" | "binary">,
    change: Partial<Pick<RecordedService, "forcedDown" | "disabled" | "disabledReason">>,
  ): void {
    const svc = this.services.get(serviceKeyId(key));
    if (svc) Object.assign(svc, change);
  }
}
