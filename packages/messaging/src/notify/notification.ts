import type { RequestContext } from "../wire/request-context.js";

/** Notification priorities, lower-case as they appear in routing keys (`notifications.info`). */
export type NotificationPriority = "audit" | "debug" | "info" | "warn" | "error" | "critical" | "sample";

/** Every priority, in oslo's order. */
export const NOTIFICATION_PRIORITIES: readonly NotificationPriority[] = [
  "audit",
  "debug",
  "info",
  "warn",
  "error",
  "critical",
  "sample",
];

/** A received notification. */
export interface Notification {
  /** The sender's request context (sanitised: no tokens). */
  ctx: RequestContext;
  /** Who sent it (`compute.host1`). */
  publisherId: string | null;
  /** What happened (`compute.instance.create.end`). */
  eventType: string | null;
  /** The priority, lower-case. */
  priority: string;
  /** The event's data. */
  payload: unknown;
  /** The notification's UUID. */
  messageId: string | null;
  /** When it was sent, as Python's `str(datetime)` in UTC. */
  timestamp: string | null;
}

/** Handles one notification; return "requeue" (or throw) to have it delivered again. */
export type NotificationHandler = (notification: Notification) => unknown;
