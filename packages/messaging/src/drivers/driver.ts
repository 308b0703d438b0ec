/** An exchange as declared on the broker (names and flags must match oslo's exactly, or declares fail). */
export interface ExchangeDeclaration {
  /** Exchange name. */
  name: string;
  /** AMQP exchange type. */
  type: "topic" | "fanout" | "direct";
  /** Survives a broker restart. */
  durable: boolean;
  /** Deleted when its last binding goes. */
  autoDelete: boolean;
}

/** A queue as declared on the broker. */
export interface QueueDeclaration {
  /** Queue name. */
  name: string;
  /** Survives a broker restart. */
  durable: boolean;
  /** Deleted when its last consumer goes. */
  autoDelete: boolean;
  /** Only this connection may use it. */
  exclusive: boolean;
  /** `x-` arguments (queue type, TTLs), exactly as oslo declares them. */
  arguments: Record<string, unknown>;
}

/** One message to publish. `exchange: null` is the default exchange (routing key = queue name). */
export interface Publication {
  /** Where to publish; null is the default exchange. */
  exchange: ExchangeDeclaration | null;
  /** Routing key (the queue name on the default exchange). */
  routingKey: string;
  /** The message body (oslo's JSON envelope). */
  body: string;
  /** AMQP `expiration` in ms (oslo sets it on call requests to the call timeout). */
  expirationMs?: number;
  /** Extra AMQP headers (oslo sends an empty table). */
  headers?: Record<string, unknown>;
  /** Declared and bound to the exchange with `routingKey` before the publish (notifications' default queue). */
  ensureQueue?: QueueDeclaration;
  /**
   * Wait for the broker's publisher confirm (default true). Call requests and replies may skip it: the reply
   * (or the call timeout) already tells the caller whether the message arrived.
   */
  confirm?: boolean;
  /** Ask the broker to return the message if no queue takes it (oslo does for replies). */
  mandatory?: boolean;
  /** AMQP reply_to property (only for direct reply-to). */
  replyTo?: string;
}

/** A queue to consume, with the bindings that feed it. */
export interface Subscription {
  /** The queue to declare and consume. */
  queue: QueueDeclaration;
  /** Bindings declared before consuming. */
  bindings: Array<{ exchange: ExchangeDeclaration; routingKey: string }>;
  /** Consume without acks (only direct reply-to needs it). */
  noAck?: boolean;
}

/** A message handed to a consumer. Call exactly one of ack/requeue (unless the subscription is noAck). */
export interface Delivery {
  /** The message body. */
  body: string;
  /** True when the broker delivered it before. */
  redelivered: boolean;
  /** AMQP headers. */
  headers: Record<string, unknown>;
  /** AMQP reply_to property (direct reply-to only). */
  replyTo: string | undefined;
  /** Acknowledges the message. */
  ack(): void;
  /** Gives the message back to the queue. */
  requeue(): void;
}

/** A running consumer; it survives reconnects until cancelled. */
export interface ConsumerHandle {
  /** Stops consuming. */
  cancel(): Promise<void>;
}

/** Connection state changes the RPC layer reacts to (fail calls in flight on `disconnected`). */
export type DriverState = "connected" | "disconnected";

/**
 * The swappable broker behind a transport (`rabbit://`, `fake://`): AMQP-shaped primitives only, so that the
 * RPC and notification code above it is the same for every driver.
 */
export interface MessagingDriver {
  /**
   * Resolves once the broker has the message (publisher confirm); rejects with a typed error otherwise. An
   * unconfirmed publish that went out at once may return {@link PUBLISHED}, which callers need not watch.
   */
  publish(publication: Publication): Promise<void>;
  /** Declares the queue and bindings and starts consuming; re-established after every reconnect. */
  subscribe(subscription: Subscription, onDelivery: (delivery: Delivery) => void): Promise<ConsumerHandle>;
  /** Subscribes to connection state changes; returns the unsubscribe function. */
  onStateChange(listener: (state: DriverState) => void): () => void;
  /**
   * Consumers on a queue now (a passive declare), 0 when the queue does not exist, undefined when it cannot be
   * told (not connected). Optional: a timed-out call names the number when the driver has it.
   */
  queueConsumers?(queue: string): Promise<number | undefined>;
  /** True when the driver supports RabbitMQ direct reply-to. */
  readonly supportsDirectReplyTo: boolean;
  /** Closes the connection; buffered publishes are rejected. */
  close(): Promise<void>;
}

/**
 * What a driver's `publish` returns when the message already left unconfirmed: one settled promise shared by
 * all, so that a caller can tell it needs no `catch` (each would be a promise per request, and each promise
 * costs an async-hooks call once an AsyncLocalStorage is on).
 */
export const PUBLISHED: Promise<void> = Promise.resolve();
