import type {
  ConsumerHandle,
  Delivery,
  DriverState,
  MessagingDriver,
  Publication,
  Subscription,
} from "../src/index.js";

/** Wraps a driver and records every publication, so tests can compare them with captured oslo traffic. */
export class RecordingDriver implements MessagingDriver {
  readonly published: Publication[] = [];
  readonly subscriptions: Subscription[] = [];
  readonly supportsDirectReplyTo: boolean;

  constructor(private readonly inner: MessagingDriver) {
    this.supportsDirectReplyTo = inner.supportsDirectReplyTo;
  }

  publish(publication: Publication): Promise<void> {
    this.published.push(publication);
    return this.inner.publish(publication);
  }

  subscribe(subscription: Subscription, onDelivery: (delivery: Delivery) => void): Promise<ConsumerHandle> {
    this.subscriptions.push(subscription);
    return this.inner.subscribe(subscription, onDelivery);
  }

  onStateChange(listener: (state: DriverState) => void): () => void {
    return this.inner.onStateChange(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
