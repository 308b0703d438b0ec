import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import type { Writable } from "node:stream";
import type { Clock, Logger, TimerHandle } from "@nova/core";
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Options,
} from "amqplib";
import { BufferOverflow } from "../errors/buffer-overflow.js";
import { ConnectionLost } from "../errors/connection-lost.js";
import { PublishRejected } from "../errors/publish-rejected.js";
import { TransportClosed } from "../errors/transport-closed.js";
import type { MessagingOptions } from "../options.js";
import type { TransportHost, TransportUrl } from "../transport-url.js";
import { coalesceWrites } from "./coalesce-writes.js";
import {
  type ConsumerHandle,
  type Delivery,
  type DriverState,
  type ExchangeDeclaration,
  type MessagingDriver,
  PUBLISHED,
  type Publication,
  type Subscription,
} from "./driver.js";

const AUTO_DELETE_DECLARE_TTL_MS = 1000;

/** What the rabbit driver needs besides the URL: parsed options, a logger, a clock and a random source. */
export interface RabbitDriverConfig {
  /** The parsed transport URL (hosts to fail over between, virtual host). */
  url: TransportUrl;
  /** The parsed messaging options. */
  options: MessagingOptions;
  /** Where connection events are logged. */
  logger: Logger;
  /** Whose timers the reconnect waits use. */
  clock: Clock;
  /** Random source for the reconnect jitter; default Math.random. */
  random?: () => number;
  /** Told the number of messages buffered (waiting for the connection) after each change. */
  onBuffered?: (count: number) => void;
}

interface Buffered {
  publication: Publication;
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Consumer {
  subscription: Subscription;
  onDelivery: (delivery: Delivery) => void;
  /** Consumer tag on the current connection; undefined while (re)subscribing. */
  tag: string | undefined;
  cancelled: boolean;
}

interface Live {
  generation: number;
  /** False once the driver has let go of this connection (lost or closed). */
  current: boolean;
  connection: ChannelModel;
  publish: ConfirmChannel;
  /** Unconfirmed publishing (call requests and replies): no confirm round trip on the broker. */
  fast: Channel;
  consume: Channel;
  /** Exchanges declared on this connection (auto-delete ones are re-declared before every publish). */
  declared: Set<string>;
  /** Declarations under way, shared by concurrent publishes. */
  declaring: Map<string, Promise<void>>;
  declareChannel: Promise<Channel> | undefined;
}

/**
 * The `rabbit://` driver on amqplib: one connection (Nagle off), a confirm channel for publishing, a channel
 * for consuming and a throwaway one for declarations (a refused declare must not kill the others). After a
 * dropped connection it reconnects with exponential backoff and jitter, cycling through the URL's hosts,
 * re-declares and re-consumes every subscription and flushes what was buffered meanwhile (bounded).
 */
export class RabbitDriver implements MessagingDriver {
  /** True: RabbitMQ offers amq.rabbitmq.reply-to. */
  readonly supportsDirectReplyTo = true;
  private live: Live | undefined;
  private generation = 0;
  private state: "idle" | "connecting" | "connected" | "waiting" | "closed" = "idle";
  private attempt = 0;
  private hostIndex = 0;
  private retryTimer: TimerHandle | undefined;
  private buffer: Buffered[] = [];
  private bufferedBytes = 0;
  private readonly consumers = new Set<Consumer>();
  private readonly listeners = new Set<(state: DriverState) => void>();
  private connectedWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly connectionName = `${basename(process.argv[1] ?? "node")}:${process.pid}:${randomUUID()}`;
  private readonly random: () => number;
  private readonly hosts: readonly TransportHost[];

  /** Connects lazily, on the first publish or subscribe. */
  constructor(private readonly config: RabbitDriverConfig) {
    this.random = config.random ?? Math.random;
    // `rabbit:///` names no host: oslo (kombu) then connects to localhost.
    this.hosts =
      config.url.hosts.length > 0
        ? config.url.hosts
        : [{ hostname: "localhost", port: undefined, username: undefined, password: undefined }];
  }

  /** Subscribes to connected/disconnected events. */
  onStateChange(listener: (state: DriverState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes now when connected, else buffers (bounded) until the connection is back. */
  publish(publication: Publication): Promise<void> {
    // Not async: an unconfirmed publish on a live connection settles without creating a promise of its own.
    if (this.state === "closed") return Promise.reject(new TransportClosed());
    const live = this.live;
    if (this.state === "connected" && live) return this.send(live, publication);
    return this.bufferUntilConnected(publication);
  }

  private async bufferUntilConnected(publication: Publication): Promise<void> {
    const bytes = Buffer.byteLength(publication.body);
    const { max_buffered_messages: maxCount, max_buffered_bytes: maxBytes } = this.config.options;
    if (this.buffer.length + 1 > maxCount) throw new BufferOverflow(`max_buffered_messages=${maxCount}`);
    if (this.bufferedBytes + bytes > maxBytes) throw new BufferOverflow(`max_buffered_bytes=${maxBytes}`);
    this.ensureConnecting();
    return new Promise<void>((resolve, reject) => {
      this.buffer.push({ publication, bytes, resolve, reject });
      this.bufferedBytes += bytes;
      this.config.onBuffered?.(this.buffer.length);
    });
  }

  /** Declares and consumes; the consumer is set up again after every reconnect. */
  async subscribe(
    subscription: Subscription,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    if (this.state === "closed") throw new TransportClosed();
    const consumer: Consumer = { subscription, onDelivery, tag: undefined, cancelled: false };
    await this.waitConnected();
    // The first setup reports declare errors to the caller; later (re)setups retry on their own.
    for (;;) {
      const live = this.live;
      if (!live) {
        await this.waitConnected();
        continue;
      }
      try {
        await this.setupConsumer(live, consumer);
        break;
      } catch (err) {
        if (this.live === live && this.state === "connected") throw err;
        await this.waitConnected();
      }
    }
    this.consumers.add(consumer);
    return {
      cancel: async () => {
        consumer.cancelled = true;
        this.consumers.delete(consumer);
        const live = this.live;
        if (live && consumer.tag !== undefined) {
          const tag = consumer.tag;
          consumer.tag = undefined;
          await live.consume.cancel(tag).catch(() => {});
        }
      },
    };
  }

  /** Passive declare on the throwaway channel: a missing queue (404 closes that channel) counts as 0. */
  async queueConsumers(queue: string): Promise<number | undefined> {
    const live = this.live;
    if (!live || this.state !== "connected") return undefined;
    try {
      const ch = await this.declareChannel(live);
      return (await ch.checkQueue(queue)).consumerCount;
    } catch (err) {
      if (this.live !== live) return undefined;
      return /NOT_FOUND|404/.test(String(err)) ? 0 : undefined;
    }
  }

  /** Waits for outstanding confirms, then closes the connection. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.retryTimer?.cancel();
    for (const b of this.buffer) b.reject(new TransportClosed());
    if (this.buffer.length > 0) this.config.onBuffered?.(0);
    this.buffer = [];
    this.bufferedBytes = 0;
    for (const w of this.connectedWaiters) w.reject(new TransportClosed());
    this.connectedWaiters = [];
    const live = this.live;
    this.live = undefined;
    if (live) {
      live.current = false;
      try {
        // Wait for outstanding confirms so a cast resolved as "sent" is not cut off by our own close.
        await live.publish.waitForConfirms().catch(() => {});
        // Calls and replies go unconfirmed on `fast`: closing that channel first (close-ok comes after every
        // frame sent before it) hands them to the broker, so a reply sent just before close is not lost.
        await live.fast.close().catch(() => {});
        await live.connection.close();
      } catch {
        // Already gone.
      }
    }
  }

  private emit(state: DriverState): void {
    for (const l of this.listeners) {
      try {
        l(state);
      } catch (err) {
        this.config.logger.error({ err }, "connection state listener threw");
      }
    }
  }

  private waitConnected(): Promise<void> {
    if (this.state === "connected" && this.live) return Promise.resolve();
    if (this.state === "closed") return Promise.reject(new TransportClosed());
    this.ensureConnecting();
    return new Promise((resolve, reject) => this.connectedWaiters.push({ resolve, reject }));
  }

  private ensureConnecting(): void {
    if (this.state === "idle") void this.connect();
  }

  // kombu's rule, which oslo.messaging hands its rabbit_retry_* options to: the wait grows linearly
  // (interval_start + n * interval_step, capped at interval_max). Not @nova/core's retryDelay, which doubles
  // (oslo.db's rule), and the reconnect is a timer-driven loop over the URL's hosts, not one call to retry.
  private backoffMs(): number {
    const {
      rabbit_retry_interval: base,
      rabbit_retry_backoff: step,
      rabbit_interval_max: max,
    } = this.config.options;
    const raw = Math.min(max, base + step * Math.max(0, this.attempt - 1)) * 1000;
    // Equal jitter: half fixed, half random, so a fleet of clients does not reconnect in lock step.
    return raw / 2 + (raw / 2) * this.random();
  }

  private async connect(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "connecting";
    const { url, options, logger } = this.config;
    const host = this.hosts[this.hostIndex % this.hosts.length]!;
    const username = host.username ?? "guest";
    const password = host.password ?? "guest";
    const vhost = url.virtualHost === undefined || url.virtualHost === "" ? "/" : url.virtualHost;
    let connection: ChannelModel | undefined;
    try {
      connection = await amqp.connect(
        {
          protocol: "amqp",
          hostname: host.hostname,
          port: host.port ?? 5672,
          username,
          password,
          vhost,
          heartbeat: options.heartbeat_timeout_threshold,
        },
        {
          // Nagle would hold every small frame ~40 ms waiting for the ack of the previous one.
          noDelay: true,
          timeout: 10_000,
          credentials: amqp.credentials.amqplain(username, password),
          clientProperties: { connection_name: this.connectionName },
        },
      );
      // amqplib keeps its socket at connection.connection.stream (not a documented API: skipped if it moves).
      const socket = (connection as unknown as { connection?: { stream?: Writable } }).connection?.stream;
      if (socket && typeof socket.cork === "function") coalesceWrites(socket);
      const publish = await connection.createConfirmChannel();
      const fast = await connection.createChannel();
      const consume = await connection.createChannel();
      if (options.rabbit_qos_prefetch_count > 0) await consume.prefetch(options.rabbit_qos_prefetch_count);
      if (this.state !== "connecting") {
        await connection.close().catch(() => {});
        return;
      }
      const generation = ++this.generation;
      const live: Live = {
        generation,
        current: true,
        connection,
        publish,
        fast,
        consume,
        declared: new Set(),
        declaring: new Map(),
        declareChannel: undefined,
      };
      const lost = (why: string) => (err?: unknown) => this.onLost(live, why, err);
      connection.on("close", lost("connection closed"));
      connection.on("error", (err: unknown) => logger.warn({ err: String(err) }, "AMQP connection error"));
      connection.on("blocked", (reason: string) => logger.warn({ reason }, "broker blocked the connection"));
      // A data channel dying under a live connection leaves us half-working: start over on a fresh one.
      publish.on("close", () => this.dropConnection(live, "publish channel closed"));
      fast.on("close", () => this.dropConnection(live, "publish channel closed"));
      fast.on("error", (err: unknown) => logger.warn({ err: String(err) }, "publish channel error"));
      consume.on("close", () => this.dropConnection(live, "consume channel closed"));
      publish.on("error", (err: unknown) => logger.warn({ err: String(err) }, "publish channel error"));
      consume.on("error", (err: unknown) => logger.warn({ err: String(err) }, "consume channel error"));
      publish.on("return", (msg: ConsumeMessage) =>
        logger.debug({ routingKey: msg.fields.routingKey }, "message returned by the broker (no queue)"),
      );
      this.live = live;
      this.state = "connected";
      this.attempt = 0;
      logger.info({ host: host.hostname, port: host.port ?? 5672, vhost }, "connected to RabbitMQ");
      for (const consumer of this.consumers) void this.resubscribe(live, consumer);
      const buffered = this.buffer;
      this.buffer = [];
      this.bufferedBytes = 0;
      if (buffered.length > 0) this.config.onBuffered?.(0);
      for (const b of buffered) this.send(live, b.publication).then(b.resolve, b.reject);
      const waiters = this.connectedWaiters;
      this.connectedWaiters = [];
      for (const w of waiters) w.resolve();
      this.emit("connected");
    } catch (err) {
      if (connection) await connection.close().catch(() => {});
      // close() may have run while we were awaiting.
      if ((this.state as string) === "closed") return;
      this.attempt += 1;
      this.hostIndex += 1;
      const delay = this.backoffMs();
      logger.warn(
        { err: String(err), host: host.hostname, attempt: this.attempt, retryInMs: Math.round(delay) },
        "cannot connect to RabbitMQ; retrying",
      );
      this.state = "waiting";
      this.retryTimer = this.config.clock.setTimer(delay, () => {
        this.retryTimer = undefined;
        if (this.state === "waiting") void this.connect();
      });
    }
  }

  private dropConnection(live: Live, why: string): void {
    if (this.live !== live) return;
    this.onLost(live, why, undefined);
    live.connection.close().catch(() => {});
  }

  private onLost(live: Live, why: string, err: unknown): void {
    if (this.live !== live || this.state === "closed") return;
    this.live = undefined;
    live.current = false;
    this.state = "waiting";
    for (const c of this.consumers) c.tag = undefined;
    this.config.logger.warn(
      { why, err: err === undefined ? undefined : String(err) },
      "lost the broker connection",
    );
    this.emit("disconnected");
    this.attempt = 1;
    const delay = this.backoffMs() / 4;
    this.retryTimer = this.config.clock.setTimer(delay, () => {
      this.retryTimer = undefined;
      if (this.state === "waiting") void this.connect();
    });
  }

  private declareChannel(live: Live): Promise<Channel> {
    if (!live.declareChannel) {
      const p = live.connection.createChannel().then((ch) => {
        ch.on("error", () => {});
        ch.on("close", () => {
          if (live.declareChannel === p) live.declareChannel = undefined;
        });
        return ch;
      });
      live.declareChannel = p;
      p.catch(() => {
        if (live.declareChannel === p) live.declareChannel = undefined;
      });
    }
    return live.declareChannel;
  }

  private declareExchange(live: Live, ex: ExchangeDeclaration): Promise<void> {
    const inFlight = live.declaring.get(ex.name);
    if (inFlight) return inFlight;
    const p = (async () => {
      const ch = await this.declareChannel(live);
      await ch.assertExchange(ex.name, ex.type, { durable: ex.durable, autoDelete: ex.autoDelete });
      live.declared.add(ex.name);
      if (ex.autoDelete) {
        // An auto-delete exchange (fanout) vanishes with its last queue: trust a declare only briefly.
        this.config.clock.setTimer(AUTO_DELETE_DECLARE_TTL_MS, () => live.declared.delete(ex.name));
      }
    })().finally(() => live.declaring.delete(ex.name));
    live.declaring.set(ex.name, p);
    return p;
  }

  private send(live: Live, p: Publication): Promise<void> {
    const ex = p.exchange;
    if (
      ex &&
      (!live.declared.has(ex.name) || (p.ensureQueue && !live.declared.has(`queue:${p.ensureQueue.name}`)))
    ) {
      return this.declareThenSend(live, p);
    }
    return this.sendNow(live, p);
  }

  private async declareThenSend(live: Live, p: Publication): Promise<void> {
    try {
      if (p.exchange && !live.declared.has(p.exchange.name)) await this.declareExchange(live, p.exchange);
      if (p.ensureQueue && p.exchange && !live.declared.has(`queue:${p.ensureQueue.name}`)) {
        const ch = await this.declareChannel(live);
        const q = p.ensureQueue;
        await ch.assertQueue(q.name, {
          durable: q.durable,
          autoDelete: q.autoDelete,
          exclusive: q.exclusive,
          arguments: q.arguments,
        });
        await ch.bindQueue(q.name, p.exchange.name, p.routingKey);
        live.declared.add(`queue:${q.name}`);
      }
    } catch (err) {
      if (this.live !== live) throw new ConnectionLost("while declaring", err);
      throw new PublishRejected(`declare refused: ${String(err)}`, err);
    }
    if (this.live !== live) {
      // Lost the connection while declaring: go through the buffer again.
      return this.publish(p);
    }
    return this.sendNow(live, p);
  }

  private sendNow(live: Live, p: Publication): Promise<void> {
    const body = Buffer.from(p.body, "utf8");
    const options: Options.Publish = {
      contentType: "application/json",
      contentEncoding: "utf-8",
      deliveryMode: 2,
      priority: 0,
      headers: p.headers ?? {},
      mandatory: p.mandatory ?? false,
    };
    if (p.expirationMs !== undefined) options.expiration = String(Math.max(0, Math.round(p.expirationMs)));
    if (p.replyTo !== undefined) options.replyTo = p.replyTo;
    // Direct reply-to requires publishing on the channel that consumes amq.rabbitmq.reply-to (the confirm one).
    if (p.confirm === false && p.replyTo === undefined) {
      try {
        live.fast.publish(p.exchange?.name ?? "", p.routingKey, body, options);
        return PUBLISHED;
      } catch (err) {
        return Promise.reject(new ConnectionLost("publish failed", err));
      }
    }
    return new Promise<void>((resolve, reject) => {
      try {
        live.publish.publish(p.exchange?.name ?? "", p.routingKey, body, options, (err: unknown) => {
          if (!err) resolve();
          else if (this.live !== live)
            reject(new ConnectionLost("before the broker confirmed the publish", err));
          else reject(new PublishRejected("nack", err));
        });
      } catch (err) {
        reject(new ConnectionLost("publish failed", err));
      }
    });
  }

  private async setupConsumer(live: Live, consumer: Consumer): Promise<void> {
    const { queue, bindings, noAck } = consumer.subscription;
    const ch = await this.declareChannel(live);
    if (!queue.name.startsWith("amq.")) {
      await ch.assertQueue(queue.name, {
        durable: queue.durable,
        autoDelete: queue.autoDelete,
        exclusive: queue.exclusive,
        arguments: queue.arguments,
      });
    }
    for (const b of bindings) {
      if (!live.declared.has(b.exchange.name)) await this.declareExchange(live, b.exchange);
      await ch.bindQueue(queue.name, b.exchange.name, b.routingKey);
    }
    if (consumer.cancelled || this.live !== live) return;
    const channel = queue.name === "amq.rabbitmq.reply-to" ? live.publish : live.consume;
    const { consumerTag } = await channel.consume(
      queue.name,
      (msg) => {
        if (msg === null) {
          // The broker cancelled us (queue deleted): set the consumer up again shortly.
          consumer.tag = undefined;
          if (!consumer.cancelled && this.live === live) {
            this.config.clock.setTimer(1000, () => void this.resubscribe(live, consumer));
          }
          return;
        }
        this.deliver(live, channel, consumer, msg);
      },
      { noAck: noAck ?? false },
    );
    consumer.tag = consumerTag;
  }

  private async resubscribe(live: Live, consumer: Consumer): Promise<void> {
    if (consumer.cancelled || this.live !== live || consumer.tag !== undefined) return;
    try {
      await this.setupConsumer(live, consumer);
    } catch (err) {
      if (this.live !== live) return;
      this.config.logger.error(
        { err: String(err), queue: consumer.subscription.queue.name },
        "re-subscribe failed",
      );
      this.config.clock.setTimer(1000, () => void this.resubscribe(live, consumer));
    }
  }

  private deliver(live: Live, channel: Channel, consumer: Consumer, msg: ConsumeMessage): void {
    consumer.onDelivery(new RabbitDelivery(live, channel, msg, consumer.subscription.noAck ?? false));
  }
}

/**
 * One delivery: a class rather than an object of closures, since two are made per call (request and reply)
 * and each closure made per message is work on the hot path.
 */
class RabbitDelivery implements Delivery {
  readonly body: string;
  readonly redelivered: boolean;
  readonly headers: Record<string, unknown>;
  readonly replyTo: string | undefined;
  private settled: boolean;

  constructor(
    private readonly live: Live,
    private readonly channel: Channel,
    private readonly msg: ConsumeMessage,
    noAck: boolean,
  ) {
    this.body = msg.content.toString("utf8");
    this.redelivered = msg.fields.redelivered;
    this.headers = (msg.properties.headers as Record<string, unknown> | undefined) ?? {};
    this.replyTo = msg.properties.replyTo as string | undefined;
    this.settled = noAck;
  }

  ack(): void {
    if (!this.settle()) return;
    try {
      this.channel.ack(this.msg);
    } catch {
      // Channel closing under us.
    }
  }

  requeue(): void {
    if (!this.settle()) return;
    try {
      this.channel.nack(this.msg, false, true);
    } catch {
      // Channel closing under us.
    }
  }

  /** True the first time, when the connection it came on is still the driver's (an ack on a dead one means
   * nothing: the broker redelivers). */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return this.live.current;
  }
}
