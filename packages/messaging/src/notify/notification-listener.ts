import type { Logger } from "@nova/core";
import type { ConsumerHandle, Delivery } from "../drivers/driver.js";
import type { Transport } from "../transport.js";
import { deserializeMsg } from "../wire/envelope.js";
import { MessageIdCache } from "../wire/message-id-cache.js";
import { unpackContext } from "../wire/request-context.js";
import {
  NOTIFICATION_PRIORITIES,
  type Notification,
  type NotificationHandler,
  type NotificationPriority,
} from "./notification.js";

/** Listener settings. */
export interface NotificationListenerOptions {
  /** Default `[oslo_messaging_notifications] topics`. */
  topics?: readonly string[];
  /** Default: all seven. */
  priorities?: readonly NotificationPriority[];
  /** Exchange; default `control_exchange`. */
  exchange?: string;
  /** Consume a shared pool queue of this name instead of `<topic>.<priority>` (oslo's `pool`). */
  pool?: string;
  /** Default: the transport's logger. */
  logger?: Logger;
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/**
 * Consumes `<topic>.<priority>` queues and hands each notification to the handler; acks after it returns,
 * requeues when it throws or returns "requeue" (oslo's `NotificationResult.REQUEUE`).
 */
export class NotificationListener {
  private readonly consumers: ConsumerHandle[] = [];
  private readonly seen = new MessageIdCache(1024);
  private readonly logger: Logger;
  private inFlight = 0;
  private idle: Array<() => void> = [];

  /** Listens on `transport` and hands each notification to `handler`. */
  constructor(
    private readonly transport: Transport,
    private readonly handler: NotificationHandler,
    private readonly options: NotificationListenerOptions = {},
  ) {
    this.logger = options.logger ?? transport.logger;
  }

  /** Declares the queues and starts consuming. */
  async start(): Promise<void> {
    const { topology } = this.transport;
    const exchange = topology.exchange(this.transport.exchangeName(this.options.exchange));
    const topics = this.options.topics ?? this.transport.options.notification_topics;
    const priorities = this.options.priorities ?? NOTIFICATION_PRIORITIES;
    for (const topic of topics) {
      for (const priority of priorities) {
        const key = `${topic}.${priority}`;
        const consumer = await this.transport.driver.subscribe(
          { queue: topology.topicQueue(this.options.pool ?? key), bindings: [{ exchange, routingKey: key }] },
          (d) => void this.onDelivery(d),
        );
        this.consumers.push(consumer);
      }
    }
  }

  /** Stops consuming and waits for handlers already running. */
  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.cancel()));
    this.consumers.length = 0;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async onDelivery(delivery: Delivery): Promise<void> {
    let msg: Record<string, unknown>;
    try {
      msg = deserializeMsg(delivery.body);
    } catch (err) {
      this.logger.warn({ err: String(err) }, "dropping malformed notification");
      delivery.ack();
      return;
    }
    const uniqueId = msg._unique_id;
    if (typeof uniqueId === "string" && !this.seen.add(uniqueId)) {
      delivery.ack();
      return;
    }
    const ctx = unpackContext(msg);
    const notification: Notification = {
      ctx,
      publisherId: str(msg.publisher_id),
      eventType: str(msg.event_type),
      priority: (str(msg.priority) ?? "").toLowerCase(),
      payload: msg.payload ?? null,
      messageId: str(msg.message_id),
      timestamp: str(msg.timestamp),
    };
    this.inFlight += 1;
    try {
      const result = await this.handler(notification);
      if (result === "requeue") this.requeue(delivery, uniqueId);
      else delivery.ack();
    } catch (err) {
      this.logger.warn(
        { err: String(err), eventType: notification.eventType },
        "notification handler failed; requeued",
      );
      this.requeue(delivery, uniqueId);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        const idle = this.idle;
        this.idle = [];
        for (const resolve of idle) resolve();
      }
    }
  }

  private requeue(delivery: Delivery, uniqueId: unknown): void {
    // The redelivery must not be mistaken for a duplicate.
    if (typeof uniqueId === "string") this.seen.forget(uniqueId);
    delivery.requeue();
  }
}
