import type { Delivery, ExchangeDeclaration, QueueDeclaration } from "./driver.js";

interface FakeMessage {
  body: string;
  headers: Record<string, unknown>;
  replyTo: string | undefined;
  redelivered: boolean;
}

interface FakeConsumer {
  onDelivery: (delivery: Delivery) => void;
  noAck: boolean;
}

interface FakeQueue {
  declaration: QueueDeclaration;
  messages: FakeMessage[];
  consumers: FakeConsumer[];
  nextConsumer: number;
  scheduled: boolean;
}

interface FakeExchange {
  declaration: ExchangeDeclaration;
  bindings: Array<{ queue: string; pattern: RegExp }>;
}

function topicPattern(key: string): RegExp {
  const parts = key
    .split(".")
    .map((w) => (w === "*" ? "[^.]+" : w === "#" ? ".*" : w.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&")));
  return new RegExp(`^${parts.join("\\.")}$`);
}

/**
 * An in-process AMQP-like broker: topic, fanout and default exchanges, queues with round-robin consumers,
 * ack/requeue. Transports that share one FakeBroker talk to each other, as processes sharing a RabbitMQ would.
 */
export class FakeBroker {
  private readonly exchanges = new Map<string, FakeExchange>();
  private readonly queues = new Map<string, FakeQueue>();

  /** Declares an exchange (idempotent). */
  declareExchange(declaration: ExchangeDeclaration): void {
    if (!this.exchanges.has(declaration.name)) {
      this.exchanges.set(declaration.name, { declaration, bindings: [] });
    }
  }

  /** Declares a queue (idempotent). */
  declareQueue(declaration: QueueDeclaration): void {
    if (!this.queues.has(declaration.name)) {
      this.queues.set(declaration.name, {
        declaration,
        messages: [],
        consumers: [],
        nextConsumer: 0,
        scheduled: false,
      });
    }
  }

  /** Binds a queue to an exchange with a routing key (topic patterns allowed). */
  bind(queue: string, exchange: string, routingKey: string): void {
    const ex = this.exchanges.get(exchange);
    if (!ex) throw new Error(`NOT_FOUND - no exchange '${exchange}'`);
    if (!ex.bindings.some((b) => b.queue === queue && b.pattern.source === topicPattern(routingKey).source)) {
      ex.bindings.push({ queue, pattern: topicPattern(routingKey) });
    }
  }

  /** Routes a message; returns the number of queues it reached (0 = dropped, as RabbitMQ would). */
  publish(
    exchange: string,
    routingKey: string,
    body: string,
    headers: Record<string, unknown> = {},
    replyTo?: string,
  ): number {
    const targets: string[] = [];
    if (exchange === "") {
      if (this.queues.has(routingKey)) targets.push(routingKey);
    } else {
      const ex = this.exchanges.get(exchange);
      if (!ex) throw new Error(`NOT_FOUND - no exchange '${exchange}'`);
      for (const b of ex.bindings) {
        if ((ex.declaration.type === "fanout" || b.pattern.test(routingKey)) && !targets.includes(b.queue)) {
          targets.push(b.queue);
        }
      }
    }
    for (const name of targets) {
      const q = this.queues.get(name);
      if (!q) continue;
      q.messages.push({ body, headers, replyTo, redelivered: false });
      this.schedule(q);
    }
    return targets.length;
  }

  /** Adds a consumer to a queue; returns a function that removes it. */
  consume(queue: string, onDelivery: (delivery: Delivery) => void, noAck = false): () => void {
    const q = this.queues.get(queue);
    if (!q) throw new Error(`NOT_FOUND - no queue '${queue}'`);
    const consumer: FakeConsumer = { onDelivery, noAck };
    q.consumers.push(consumer);
    this.schedule(q);
    return () => {
      const i = q.consumers.indexOf(consumer);
      if (i >= 0) q.consumers.splice(i, 1);
    };
  }

  /** Messages waiting in a queue (not yet delivered). */
  depth(queue: string): number {
    return this.queues.get(queue)?.messages.length ?? 0;
  }

  /** Consumers of a queue (0 when it does not exist). */
  consumerCount(queue: string): number {
    return this.queues.get(queue)?.consumers.length ?? 0;
  }

  /** Names of the declared queues. */
  queueNames(): string[] {
    return [...this.queues.keys()];
  }

  private schedule(q: FakeQueue): void {
    if (q.scheduled || q.consumers.length === 0 || q.messages.length === 0) return;
    q.scheduled = true;
    // Deliver on a later tick, like a network hop, so publishers never re-enter consumers synchronously.
    setImmediate(() => {
      q.scheduled = false;
      this.drain(q);
    });
  }

  private drain(q: FakeQueue): void {
    while (q.messages.length > 0 && q.consumers.length > 0) {
      const msg = q.messages.shift()!;
      const consumer = q.consumers[q.nextConsumer % q.consumers.length]!;
      q.nextConsumer = (q.nextConsumer + 1) % Math.max(1, q.consumers.length);
      let settled = consumer.noAck;
      const delivery: Delivery = {
        body: msg.body,
        redelivered: msg.redelivered,
        headers: msg.headers,
        replyTo: msg.replyTo,
        ack: () => {
          settled = true;
        },
        requeue: () => {
          if (settled) return;
          settled = true;
          q.messages.push({ ...msg, redelivered: true });
          this.schedule(q);
        },
      };
      consumer.onDelivery(delivery);
    }
  }
}
