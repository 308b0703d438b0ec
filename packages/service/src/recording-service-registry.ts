import type { Clock } from "@nova/core";
import type {
  HeartbeatRecorder,
  HeartbeatReport,
  HeartbeatStore,
  RecordedHeartbeat,
  ServiceKey,
} from "@nova/servicegroup";
import type { RegisteredService, ServiceRegistry } from "./service-registry.js";

/**
 * nova-conductor's own row and heartbeats: it has the database, so it records them itself instead of calling a
 * conductor. Registering writes the first heartbeat at once (not batched), so the conductor counts as up as
 * soon as it started; later ones go through the batching recorder, as the computes' do.
 */
export class RecordingServiceRegistry implements ServiceRegistry {
  /** `recordFirstHeartbeat` false (report_interval 0) registers the row without a heartbeat, as Nova. */
  constructor(
    private readonly deps: {
      store: HeartbeatStore;
      recorder: HeartbeatRecorder;
      clock: Clock;
      recordFirstHeartbeat: boolean;
    },
  ) {}

  async register(service: ServiceKey): Promise<RegisteredService> {
    const { store, clock } = this.deps;
    const row = await store.ensureService(service, clock.now());
    if (!this.deps.recordFirstHeartbeat) return { reportCount: row.reportCount };
    const reportCount = row.reportCount + 1;
    await store.recordHeartbeats([{ host: service.host, binary: service.binary, reportCount }], clock.now());
    return { reportCount, reported: true };
  }

  sendReport(_service: ServiceKey, report: HeartbeatReport): Promise<RecordedHeartbeat> {
    return this.deps.recorder.record(report);
  }

  /** Writes the heartbeats still batched. */
  close(): Promise<void> {
    return this.deps.recorder.flush();
  }
}
