// @nova/servicegroup: Nova's servicegroup API (who is up), the heartbeat reporter and the conductor's recorder.

/** The [DEFAULT] options the service group reads, parsed once. */
export { parseServiceGroupConfig, type ServiceGroupConfig } from "./config.js";
/** The conductor's periodic check that records silent services down. */
export { DownServiceMonitor, type DownServiceMonitorOptions } from "./down-service-monitor.js";
/** Servicegroup drivers named in nova.conf (`<npm module>#<Export>`): what their authors implement. */
export {
  pluginServiceGroupDriver,
  SERVICE_GROUP_DRIVER_METHODS,
  type ServiceGroupDriverClass,
  type ServiceGroupDriverContext,
  type ServiceGroupDriverPlugin,
} from "./driver-plugin.js";
/** The package's errors. */
export {
  ServiceGroupDriverTimeoutError,
  ServiceGroupError,
  ServiceListUnavailableError,
  ServiceNotFoundError,
} from "./errors.js";
/** The conductor's side: records reports, batching their writes. */
export {
  HeartbeatRecorder,
  type HeartbeatRecorderOptions,
  type RecordedHeartbeat,
} from "./heartbeat-recorder.js";
/** A member's reporter (reached through {@link Membership}). */
export type { HeartbeatReporter } from "./heartbeat-reporter.js";
/** The storage behind the heartbeats, as a recorder needs it. */
export type {
  HeartbeatOutcome,
  HeartbeatReport,
  HeartbeatStore,
  RecordedService,
} from "./heartbeat-store.js";
/** Nova's liveness rule. */
export { isServiceUp } from "./liveness.js";
/** Told when a service is recorded down or up again (metrics). */
export type { LivenessObserver } from "./liveness-observer.js";
/** The servicegroup API, its drivers and what they need. */
export {
  createDbDriver,
  type HeartbeatSender,
  type Membership,
  ServiceGroup,
  type ServiceGroupDriver,
  type ServiceGroupOptions,
  type ServiceReader,
} from "./service-group.js";
/** `service.update` notifications. */
export { type ServiceChange, type ServiceNotifier, serviceStatusPayload } from "./service-notifier.js";
/** A service as the liveness rules see it. */
export type { ServiceKey, ServiceRecord } from "./service-record.js";
/** Heartbeats as Nova's own `object_action(Service.save)` calls, on both ends. */
export {
  isServiceSaveHeartbeat,
  type ObjectActionSend,
  recordServiceSaveHeartbeat,
  ServiceSaveHeartbeatSender,
} from "./service-save-rpc.js";
