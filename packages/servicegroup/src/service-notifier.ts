import type { ServiceRecord } from "./service-record.js";

/** Why a `service.update` notification is sent. */
export type ServiceChange = "up" | "down" | "disabled" | "enabled" | "forced_down" | "forced_up";

/**
 * Emits Nova's `service.update` notification. The services wire it to @nova/messaging's Notifier; the
 * payload is built by {@link serviceStatusPayload} in Nova's versioned-notification form.
 */
export interface ServiceNotifier {
  /** Notifies that `service` changed as `change` says. */
  serviceUpdate(service: ServiceRecord, change: ServiceChange): void | Promise<void>;
}

/** Nova's ServiceStatusPayload (1.1) for a service, as versioned notifications carry it. */
export function serviceStatusPayload(service: ServiceRecord, up: boolean): Record<string, unknown> {
  return {
    "nova_object.name": "ServiceStatusPayload",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.1",
    "nova_object.data": {
      host: service.host,
      binary: service.binary,
      topic: service.topic,
      report_count: service.reportCount,
      disabled: service.disabled,
      disabled_reason: service.disabledReason,
      forced_down: service.forcedDown,
      last_seen_up: service.lastSeenUp === null ? null : isoSeconds(service.lastSeenUp),
      // Not in Nova's payload: whether the conductor sees the service up, the reason for most notifications.
      is_up: up,
    },
  };
}

/** Nova's timestamp form in notifications and objects: ISO 8601 in UTC, whole seconds, `Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
