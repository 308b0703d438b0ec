import { randomUUID } from "node:crypto";
import type { Transport } from "../transport.js";
import { serializeMsg } from "../wire/envelope.js";
import { uuidHex } from "../wire/ids.js";
import { packContext, type RequestContext } from "../wire/request-context.js";
import type { NotificationPriority } from "./notification.js";

/** Context keys that may travel with a notification (oslo's `_sanitize_context`); tokens never do. */
const SAFE_CONTEXT_KEYS = new Set([
  "user_id",
  "project_id",
  "domain_id",
  "user_domain_id",
  "project_domain_id",
  "is_admin",
  "request_id",
  "roles",
  "user_name",
  "project_name",
  "domain_name",
  "user_domain_name",
  "project_domain_name",
  "service_user_id",
  "service_user_domain_id",
  "service_user_domain_name",
  "service_project_id",
  "service_project_name",
  "service_project_domain_id",
  "service_project_domain_name",
  "service_roles",
  "global_request_id",
  "system_scope",
  "user",
  "domain",
  "user_domain",
  "project_domain",
]);

/** Notifier settings. */
export interface NotifierOptions {
  /** e.g. `compute.host1`. */
  publisherId?: string;
  /** Topics to publish on; default `[oslo_messaging_notifications] topics` (`notifications`). */
  topics?: readonly string[];
  /** Exchange; default `control_exchange`. */
  exchange?: string;
}

/** Python's `str(datetime.utcnow())`: `2026-11-27 08:25:22.123456` (no fraction when it is zero). */
function pythonUtcNow(ms: number): string {
  const iso = new Date(ms).toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const millis = iso.slice(20, 23);
  return millis === "000" ? base : `${base}.${millis}000`;
}

/**
 * Sends notifications as oslo's `messagingv2` driver does: the 2.0 envelope on the topic exchange with
 * routing key `<topic>.<priority>`, declaring that queue first so nothing is lost before a listener exists.
 */
export class Notifier {
  /** Who the notifications say sent them. */
  readonly publisherId: string | undefined;
  private readonly topics: readonly string[];

  /** Sends on `transport`. */
  constructor(
    private readonly transport: Transport,
    private readonly options: NotifierOptions = {},
  ) {
    this.publisherId = options.publisherId;
    this.topics = options.topics ?? transport.options.notification_topics;
  }

  /** A notifier with another publisher id. */
  prepare(overrides: { publisherId?: string }): Notifier {
    return new Notifier(this.transport, { ...this.options, ...overrides });
  }

  /** Sends one notification to every topic; resolves once the broker confirmed them all. */
  async notify(
    ctx: RequestContext,
    eventType: string,
    payload: unknown,
    priority: NotificationPriority,
  ): Promise<void> {
    const { topology, driver } = this.transport;
    const exchange = topology.exchange(this.transport.exchangeName(this.options.exchange));
    const safe: RequestContext = {};
    for (const key of Object.keys(ctx)) if (SAFE_CONTEXT_KEYS.has(key)) safe[key] = ctx[key];
    await Promise.all(
      this.topics.map((topic) => {
        const msg: Record<string, unknown> = {
          message_id: randomUUID(),
          publisher_id: this.publisherId ?? null,
          event_type: eventType,
          priority: priority.toUpperCase(),
          payload,
          timestamp: pythonUtcNow(this.transport.clock.now()),
          _unique_id: uuidHex(),
        };
        packContext(msg, safe);
        const routingKey = `${topic}.${priority}`;
        return driver.publish({
          exchange,
          routingKey,
          body: serializeMsg(msg),
          ensureQueue: topology.topicQueue(routingKey),
        });
      }),
    );
  }

  /** Priority `audit`. */
  audit(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "audit");
  }
  /** Priority `debug`. */
  debug(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "debug");
  }
  /** Priority `info`. */
  info(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "info");
  }
  /** Priority `warn`. */
  warn(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "warn");
  }
  /** Priority `error`. */
  error(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "error");
  }
  /** Priority `critical`. */
  critical(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "critical");
  }
  /** Priority `sample`. */
  sample(ctx: RequestContext, eventType: string, payload: unknown): Promise<void> {
    return this.notify(ctx, eventType, payload, "sample");
  }
}
