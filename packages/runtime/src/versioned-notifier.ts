import type { NovaConfig } from "@nova/config";
import { listInput } from "@nova/core";
import { Notifier, type Transport } from "@nova/messaging";

const SENDING_DRIVERS = new Set(["messaging", "messagingv2"]);

/**
 * Nova's versioned notifier as nova.conf sets it up: a Notifier on `[notifications]
 * versioned_notifications_topics` when `notification_format` is `versioned` or `both` and
 * `[oslo_messaging_notifications] driver` sends over the bus (`messaging`, `messagingv2`); otherwise none, as
 * with Nova's defaults (unversioned, no driver).
 */
export function versionedNotifier(
  config: Pick<NovaConfig, "raw">,
  transport: Transport,
): Notifier | undefined {
  const format = String(config.raw.notifications?.notification_format ?? "unversioned").trim();
  const drivers = listOf(config.raw.oslo_messaging_notifications?.driver);
  if (!(format === "versioned" || format === "both") || !drivers.some((d) => SENDING_DRIVERS.has(d))) {
    return undefined;
  }
  const topics = listOf(config.raw.notifications?.versioned_notifications_topics);
  return new Notifier(transport, { topics: topics.length > 0 ? topics : ["versioned_notifications"] });
}

function listOf(value: unknown): string[] {
  const items = listInput(value);
  return Array.isArray(items) ? items.map((v) => String(v).trim()).filter((v) => v !== "") : [];
}
