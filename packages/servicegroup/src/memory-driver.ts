import type { Clock, Logger } from "@nova/core";
import { HeartbeatRecorder } from "./heartbeat-recorder.js";
import { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";
import type { ServiceGroupDriver } from "./service-group.js";
import type { ServiceNotifier } from "./service-notifier.js";

/**
 * The `memory` driver: one process (the all-in-one). Reports are recorded straight into an in-memory store
 * through the same recorder the conductor uses, so both drivers follow one set of rules.
 */
export function createMemoryDriver(deps: {
  clock: Clock;
  logger: Logger;
  notifier?: ServiceNotifier;
}): ServiceGroupDriver & { store: InMemoryHeartbeatStore; recorder: HeartbeatRecorder } {
  const store = new InMemoryHeartbeatStore();
  const recorder = new HeartbeatRecorder({
    store,
    clock: deps.clock,
    logger: deps.logger,
    batchWindowMs: 0,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
  });
  return {
    name: "memory",
    store,
    recorder,
    sender: {
      async sendReport(service, report) {
        await store.ensureService(service, deps.clock.now());
        return recorder.record(report);
      },
    },
    reader: store,
  };
}
