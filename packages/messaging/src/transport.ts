import { type Clock, type Logger, silentLogger, systemClock } from "@nova/core";
import type { MessagingDriver } from "./drivers/driver.js";
import type { FakeBroker } from "./drivers/fake-broker.js";
import { FakeDriver } from "./drivers/fake-driver.js";
import { RabbitDriver } from "./drivers/rabbit-driver.js";
import { InvalidTransportUrl } from "./errors/invalid-transport-url.js";
import { type MessagingOptions, type MessagingOptionsInput, parseMessagingOptions } from "./options.js";
import type { MessagingObserver } from "./rpc/messaging-observer.js";
import { ReplyWaiter } from "./rpc/reply-waiter.js";
import { parseTransportUrl, type TransportUrl } from "./transport-url.js";
import { Topology } from "./wire/topology.js";

/** What a transport is built from besides its URL; every part has a default. */
export interface TransportInit {
  /** oslo option names; parsed with zod here, once. */
  options?: MessagingOptionsInput;
  /** Where the transport logs; default silentLogger. */
  logger?: Logger;
  /** Whose time timeouts and reconnects use; default systemClock. */
  clock?: Clock;
  /** For `fake://`: share one in-process broker between transports (otherwise each has its own). */
  fakeBroker?: FakeBroker;
  /** Use this driver instead of the one the URL names (custom or instrumented drivers). */
  driver?: MessagingDriver;
  /** Watches calls, casts, dispatches, drops and the connection (metrics, traces); none by default. */
  observer?: MessagingObserver;
}

/**
 * A connection to the messaging bus chosen by URL (`rabbit://...`, `fake://`). Share one per process: its
 * clients share one `reply_<uuid>` queue, as oslo's do.
 */
export class Transport {
  /** The parsed URL. */
  readonly url: TransportUrl;
  /** The parsed options. */
  readonly options: MessagingOptions;
  /** The driver the URL chose (or the one passed in). */
  readonly driver: MessagingDriver;
  /** Names and flags of the exchanges and queues, as oslo declares them. */
  readonly topology: Topology;
  /** Where the transport logs. */
  readonly logger: Logger;
  /** Whose time it keeps. */
  readonly clock: Clock;
  /** What watches this transport's traffic, if anything. */
  readonly observer: MessagingObserver | undefined;
  private waiter: ReplyWaiter | undefined;

  /** Parses `url` and the options; connects lazily. */
  constructor(url: string | TransportUrl, init: TransportInit = {}) {
    this.url = typeof url === "string" ? parseTransportUrl(url) : url;
    this.options = parseMessagingOptions(init.options ?? {});
    this.logger = init.logger ?? silentLogger;
    this.clock = init.clock ?? systemClock;
    this.topology = new Topology(this.options);
    this.observer = init.observer;
    this.driver = init.driver ?? this.createDriver(init);
    const onState = init.observer?.connectionState;
    if (onState) this.driver.onStateChange((state) => onState.call(init.observer, state));
  }

  private createDriver(init: TransportInit): MessagingDriver {
    switch (this.url.transport) {
      case "fake":
        return new FakeDriver(init.fakeBroker);
      case "rabbit":
      case "kombu":
      case "amqp":
        return new RabbitDriver({
          url: this.url,
          options: this.options,
          logger: this.logger,
          clock: this.clock,
          ...(init.observer?.bufferedMessages
            ? { onBuffered: (n: number) => init.observer?.bufferedMessages?.(n) }
            : {}),
        });
      default:
        throw new InvalidTransportUrl(
          this.url.transport,
          "scheme",
          `no driver for "${this.url.transport}://" (known: rabbit, fake)`,
        );
    }
  }

  /** The reply queue consumer shared by every RpcClient on this transport (created on first use). */
  replyWaiter(): ReplyWaiter {
    this.waiter ??= new ReplyWaiter(this);
    return this.waiter;
  }

  /** The exchange a target sends to: its own, else `control_exchange`. */
  exchangeName(exchange: string | undefined): string {
    return exchange ?? this.options.control_exchange;
  }

  /** Stops the reply consumer and closes the connection; buffered messages are rejected. */
  async close(): Promise<void> {
    this.waiter?.stop();
    await this.driver.close();
  }
}

/** Builds a transport from a `transport_url` (oslo's `get_rpc_transport` / `get_notification_transport`). */
export function getTransport(url: string, init: TransportInit = {}): Transport {
  return new Transport(url, init);
}
