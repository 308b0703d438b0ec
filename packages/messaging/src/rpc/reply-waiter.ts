import type { TimerHandle } from "@nova/core";
import type { ConsumerHandle, Delivery } from "../drivers/driver.js";
import { ConnectionLost } from "../errors/connection-lost.js";
import { MessagingTimeout, type MessagingTimeoutDetails } from "../errors/messaging-timeout.js";
import { TransportClosed } from "../errors/transport-closed.js";
import type { Transport } from "../transport.js";
import { deserializeMsg } from "../wire/envelope.js";
import { defaultRemoteErrors, deserializeFailure, type RemoteErrorRegistry } from "../wire/failure.js";
import { uuidHex } from "../wire/ids.js";
import { MessageIdCache } from "../wire/message-id-cache.js";

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  remoteErrors: RemoteErrorRegistry;
  timer: TimerHandle;
  monitorMs: number | undefined;
  monitorTimer: TimerHandle | undefined;
  result: unknown;
  details: MessagingTimeoutDetails | undefined;
  settled: ((error?: unknown) => void) | undefined;
}

/** How long to wait for one reply: the overall timeout and the optional call-monitor timeout. */
export interface WaitOptions {
  /** The call timeout. */
  timeoutMs: number;
  /** Fail when no call-monitor heartbeat arrives this long. */
  callMonitorMs?: number;
  /** Which remote errors come back typed. */
  remoteErrors?: RemoteErrorRegistry;
  /** What the call was (topic, server, method, the queue it went to), for the MessagingTimeout. */
  details?: MessagingTimeoutDetails;
  /**
   * Told when the call settles, before its promise does (an observer's scope): a callback rather than a
   * reaction on the promise, which would be one more promise per call.
   */
  settled?: (error?: unknown) => void;
}

/** How long a timed-out call waits to learn the target queue's consumer count before failing without it. */
const CONSUMER_LOOKUP_MS = 1000;

/**
 * Consumes the transport's reply queue and hands replies to the calls waiting for them, by `_msg_id`. Late
 * replies (the call already timed out) and duplicate `_unique_id`s are dropped; call-monitor heartbeats
 * (`ending: false`, no result) restart the call-monitor timer. When the connection drops, every waiting call
 * fails at once with ConnectionLost (retryable): its reply queue is gone with the broker.
 */
export class ReplyWaiter {
  /** `reply_<uuid4 hex>`, or `amq.rabbitmq.reply-to` with direct reply-to. */
  readonly queueName: string;
  private readonly waiting = new Map<string, Waiting>();
  private readonly seen = new MessageIdCache(1024);
  private consumer: ConsumerHandle | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  private readonly offState: () => void;

  /** For the transport's calls; consumes only once started. */
  constructor(private readonly transport: Transport) {
    const direct = transport.options.rabbit_direct_reply_to && transport.driver.supportsDirectReplyTo;
    this.queueName = direct ? "amq.rabbitmq.reply-to" : `reply_${uuidHex()}`;
    this.offState = transport.driver.onStateChange((state) => {
      if (state === "disconnected") this.failAll(new ConnectionLost("reply queue lost with the connection"));
    });
  }

  /** True once the reply queue is consumed; until then callers await start() before publishing. */
  get ready(): boolean {
    return this.consumer !== undefined;
  }

  /** Declares and consumes the reply queue (once). */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new TransportClosed());
    this.starting ??= this.transport.driver
      .subscribe(
        {
          queue:
            this.queueName === "amq.rabbitmq.reply-to"
              ? { name: this.queueName, durable: false, autoDelete: false, exclusive: false, arguments: {} }
              : this.transport.topology.transientQueue(this.queueName),
          bindings: [],
          // Replies are acked on arrival anyway; letting the broker skip the ack saves a frame per call.
          noAck: true,
        },
        (d) => this.onDelivery(d),
      )
      .then((consumer) => {
        this.consumer = consumer;
      })
      .catch((err: unknown) => {
        this.starting = undefined;
        throw err;
      });
    return this.starting;
  }

  /** Registers a call before its request is published; the promise settles with the reply. */
  wait(msgId: string, options: WaitOptions): Promise<unknown> {
    const clock = this.transport.clock;
    return new Promise((resolve, reject) => {
      const entry: Waiting = {
        resolve,
        reject,
        remoteErrors: options.remoteErrors ?? defaultRemoteErrors,
        timer: clock.setTimer(options.timeoutMs, () => void this.timedOut(msgId, options)),
        monitorMs: options.callMonitorMs,
        monitorTimer: undefined,
        result: null,
        details: options.details,
        settled: options.settled,
      };
      if (options.callMonitorMs !== undefined) {
        const monitorMs = options.callMonitorMs;
        entry.monitorTimer = clock.setTimer(monitorMs, () =>
          this.settle(
            msgId,
            new MessagingTimeout(msgId, monitorMs, { ...entry.details, replyQueue: this.queueName }),
          ),
        );
      }
      this.waiting.set(msgId, entry);
    });
  }

  /** Fails a call that timed out, naming whether anyone consumed its target queue (a passive declare). */
  private async timedOut(msgId: string, options: WaitOptions): Promise<void> {
    const details: MessagingTimeoutDetails = { ...options.details, replyQueue: this.queueName };
    const lookup = this.transport.driver.queueConsumers;
    if (lookup && details.queue !== undefined) {
      const queue = details.queue;
      let timer: TimerHandle | undefined;
      const count = await Promise.race([
        lookup.call(this.transport.driver, queue).catch(() => undefined),
        new Promise<undefined>((resolve) => {
          timer = this.transport.clock.setTimer(CONSUMER_LOOKUP_MS, () => resolve(undefined));
        }),
      ]);
      timer?.cancel();
      if (count !== undefined) details.consumers = count;
    }
    this.settle(msgId, new MessagingTimeout(msgId, options.timeoutMs, details));
  }

  /** Fails one waiting call (its publish was refused). */
  cancel(msgId: string, err: unknown): void {
    this.settle(msgId, err);
  }

  /** Number of calls waiting for replies. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Fails every waiting call and stops consuming. */
  stop(): void {
    this.stopped = true;
    this.offState();
    this.failAll(new TransportClosed());
    void this.consumer?.cancel();
  }

  private failAll(err: unknown): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, err);
  }

  private settle(msgId: string, error: unknown, value?: unknown): void {
    const entry = this.waiting.get(msgId);
    if (!entry) return;
    this.waiting.delete(msgId);
    entry.timer.cancel();
    entry.monitorTimer?.cancel();
    if (entry.settled) {
      try {
        entry.settled(error);
      } catch {
        // Observers must not throw; one that does must not leave the call hanging either.
      }
    }
    if (error !== undefined) entry.reject(error);
    else entry.resolve(value);
  }

  private onDelivery(delivery: Delivery): void {
    delivery.ack();
    const logger = this.transport.logger;
    let msg: Record<string, unknown>;
    try {
      msg = deserializeMsg(delivery.body);
    } catch (err) {
      logger.warn({ err: String(err) }, "dropping malformed reply");
      this.transport.observer?.messageDropped?.("malformed_reply");
      return;
    }
    const msgId = msg._msg_id;
    if (typeof msgId !== "string") {
      logger.warn({}, "dropping reply without _msg_id");
      this.transport.observer?.messageDropped?.("malformed_reply");
      return;
    }
    const uniqueId = msg._unique_id;
    if (typeof uniqueId === "string" && !this.seen.add(uniqueId)) {
      logger.debug({ msgId, uniqueId }, "dropping duplicate reply");
      this.transport.observer?.messageDropped?.("duplicate_reply");
      return;
    }
    const entry = this.waiting.get(msgId);
    if (!entry) {
      logger.debug({ msgId }, "dropping reply nobody waits for (late or not ours)");
      this.transport.observer?.messageDropped?.("late_reply");
      return;
    }
    const ending = msg.ending === true;
    let reply: unknown = null;
    if (msg.failure !== null && msg.failure !== undefined && msg.failure !== "") {
      try {
        reply = deserializeFailure(String(msg.failure), entry.remoteErrors);
      } catch (err) {
        reply = err;
      }
    } else {
      reply = msg.result ?? null;
    }
    if (reply !== null) {
      entry.result = reply;
    } else if (!ending && entry.monitorMs !== undefined) {
      // Call-monitor heartbeat: the server is still working on it.
      entry.monitorTimer?.cancel();
      const ms = entry.monitorMs;
      entry.monitorTimer = this.transport.clock.setTimer(ms, () =>
        this.settle(msgId, new MessagingTimeout(msgId, ms, { ...entry.details, replyQueue: this.queueName })),
      );
    }
    if (!ending) return;
    if (entry.result instanceof Error) this.settle(msgId, entry.result);
    else this.settle(msgId, undefined, entry.result);
  }
}
