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
  ctx: RequestContext;
  publisherId: string | null;
  eventType: string | null;
  priority: string;
  payload: unknown;
  messageId: string | null;
  timestamp: string | null;
}

/** Handles one notification; return "requeue" (or throw) to have it delivered again. */
export type NotificationHandler = (notification: Notification) => unknown;
