export { type Clock, systemClock, type TimerHandle } from "./clock.js";
export { parseServiceGroupConfig, type ServiceGroupConfig, serviceGroupConfigSchema } from "./config.js";
export { DownServiceMonitor, type DownServiceMonitorOptions } from "./down-service-monitor.js";
export { ServiceGroupError, ServiceNotFoundError } from "./errors.js";
export {
  HeartbeatRecorder,
  type HeartbeatRecorderOptions,
  type RecordedHeartbeat,
} from "./heartbeat-recorder.js";
export { HeartbeatReporter, type HeartbeatReporterOptions } from "./heartbeat-reporter.js";
export type {
  HeartbeatOutcome,
  HeartbeatReport,
  HeartbeatStore,
  RecordedService,
} from "./heartbeat-store.js";
export { isServiceUp } from "./liveness.js";
export { type Logger, silentLogger } from "./logger.js";
export { InMemoryHeartbeatStore } from "./memory-heartbeat-store.js";
export {
  createDbDriver,
  createMemoryDriver,
  type HeartbeatSender,
  type Membership,
  ServiceGroup,
  type ServiceGroupDriver,
  type ServiceGroupOptions,
  type ServiceReader,
} from "./service-group.js";
export {
  isoSeconds,
  type ServiceChange,
  type ServiceNotifier,
  serviceStatusPayload,
} from "./service-notifier.js";
export { type ServiceKey, type ServiceRecord, serviceKeyId } from "./service-record.js";
export {
  isServiceSaveHeartbeat,
  type ObjectActionSend,
  recordServiceSaveHeartbeat,
  ServiceSaveHeartbeatSender,
} from "./service-save-rpc.js";
