import { TransportClosed } from "../errors/transport-closed.js";
import type { ConsumerHandle, Delivery, MessagingDriver, Publication, Subscription } from "./driver.js";
import { FakeBroker } from "./fake-broker.js";

/** The `fake://` driver: everything in process, through a FakeBroker (its own unless one is passed in). */
export class FakeDriver implements MessagingDriver {
  /** False: `fake://` replies through a reply queue. */
  readonly supportsDirectReplyTo = false;
  /** The in-process broker this driver publishes to. */
  readonly broker: FakeBroker;
  private closed = false;
  private readonly cancels = new Set<() => void>();

  /** Uses `broker`, or a broker of its own. */
  constructor(broker: FakeBroker = new FakeBroker()) {
    this.broker = broker;
  }

  /** Routes the message through the broker. */
  async publish(p: Publication): Promise<void> {
    if (this.closed) throw new TransportClosed();
    if (p.exchange) this.broker.declareExchange(p.exchange);
    if (p.ensureQueue && p.exchange) {
      this.broker.declareQueue(p.ensureQueue);
      this.broker.bind(p.ensureQueue.name, p.exchange.name, p.routingKey);
    }
    this.broker.publish(p.exchange?.name ?? "", p.routingKey, p.body, p.headers ?? {}, p.replyTo);
  }

  /** Declares, binds and consumes on the broker. */
  async subscribe(s: Subscription, onDelivery: (delivery: Delivery) => void): Promise<ConsumerHandle> {
    if (this.closed) throw new TransportClosed();
    this.broker.declareQueue(s.queue);
    for (const b of s.bindings) {
      this.broker.declareExchange(b.exchange);
      this.broker.bind(s.queue.name, b.exchange.name, b.routingKey);
    }
    const cancel = this.broker.consume(s.queue.name, onDelivery, s.noAck ?? false);
    this.cancels.add(cancel);
    return {
      cancel: async () => {
        cancel();
        this.cancels.delete(cancel);
      },
    };
  }

  /** Consumers on the broker's queue (0 when it does not exist). */
  async queueConsumers(queue: string): Promise<number | undefined> {
    return this.broker.consumerCount(queue);
  }

  /** Never fires: the in-process broker does not disconnect. */
  onStateChange(): () => void {
    return () => {};
  }

  /** Cancels every consumer; later calls throw TransportClosed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }
}
