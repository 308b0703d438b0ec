import type { Logger, TimerHandle } from "@nova/core";
import { type ConsumerHandle, type Delivery, PUBLISHED, type Publication } from "../drivers/driver.js";
import { InvalidTarget } from "../errors/invalid-target.js";
import { MalformedMessage } from "../errors/malformed-message.js";
import type { Transport } from "../transport.js";
import { deserializeMsg, serializeMsg } from "../wire/envelope.js";
import { serializeFailure } from "../wire/failure.js";
import { uuidHex } from "../wire/ids.js";
import { MessageIdCache } from "../wire/message-id-cache.js";
import { type RequestContext, unpackContext } from "../wire/request-context.js";
import type { RpcDispatchScope } from "./messaging-observer.js";
import { DEADLINE_HEADER } from "./rpc-client.js";
import { type DispatchRequest, findMethod } from "./rpc-dispatcher.js";
import type { RpcEndpoint } from "./rpc-endpoint.js";
import type { Target } from "./target.js";

/**
 * A class of requests with its own concurrency limit, so that they are neither starved by nor starve the
 * rest: e.g. a conductor's heartbeats, which only wait on a shared batched write, beside builds that hold a
 * slot for minutes.
 */
export interface RpcServerLane {
  /** For logs. */
  name: string;
  /** Requests of this lane handled at once. */
  maxConcurrency: number;
  /** Whether a request belongs to this lane (the first lane that matches takes it). */
  matches(request: DispatchRequest): boolean;
}

/** Server settings beyond the transport's options. */
export interface RpcServerOptions {
  /** Requests handled at once; default `executor_thread_pool_size` (64). The rest wait in order. */
  maxConcurrency?: number;
  /** Classes of requests with limits of their own, outside `maxConcurrency`. */
  lanes?: readonly RpcServerLane[];
  /** How many `_unique_id`s to remember for dropping redeliveries (oslo: 16). */
  duplicateWindow?: number;
  /** Default: the transport's logger. */
  logger?: Logger;
}

/** A request seen before (a redelivery): dropped like a malformed one, counted apart. */
class Redelivered extends MalformedMessage {}

interface Lane {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly matches: (request: DispatchRequest) => boolean;
  readonly queue: Job[];
  running: number;
  /** Inside pump(): a request finishing synchronously must not start another pump. */
  pumping: boolean;
}

interface Job {
  request: DispatchRequest;
  ctx: RequestContext;
  msgId: string | undefined;
  replyQ: string | undefined;
  clientTimeout: unknown;
  deadline: number | undefined;
  /** AMQP headers (trace context), for the observer. */
  headers: Record<string, unknown>;
  /** The lane that runs it, for the observer. */
  lane: string;
}

/**
 * Serves a target (oslo's RPC server): consumes `<topic>`, `<topic>.<server>` and a `<topic>_fanout_<uuid>`
 * queue, acks each request on arrival (as oslo does), runs at most `maxConcurrency` at a time, replies to calls
 * with oslo's result/failure message and sends call-monitor heartbeats while a call runs.
 */
export class RpcServer {
  private readonly consumers: ConsumerHandle[] = [];
  /** The configured lanes, then the default one (which matches everything). */
  private readonly lanes: Lane[];
  private state: "new" | "running" | "stopping" | "stopped" = "new";
  private readonly seen: MessageIdCache;
  private readonly logger: Logger;
  private idle: Array<() => void> = [];

  /** Serves `endpoints` on `target` (which needs a topic and a server). */
  constructor(
    private readonly transport: Transport,
    /** The topic and server name served. */
    readonly target: Readonly<Target>,
    private readonly endpoints: readonly RpcEndpoint[],
    options: RpcServerOptions = {},
  ) {
    if (!target.topic) throw new InvalidTarget("A server's target must have a topic");
    if (!target.server) throw new InvalidTarget("A server's target must have a server name");
    const maxConcurrency = options.maxConcurrency ?? transport.options.executor_thread_pool_size;
    this.lanes = [
      ...(options.lanes ?? []).map((l) => ({
        name: l.name,
        maxConcurrency: l.maxConcurrency,
        matches: l.matches,
        queue: [],
        running: 0,
        pumping: false,
      })),
      { name: "default", maxConcurrency, matches: () => true, queue: [], running: 0, pumping: false },
    ];
    this.seen = new MessageIdCache(options.duplicateWindow ?? 1024);
    this.logger = options.logger ?? transport.logger;
  }

  /** Requests accepted and not yet finished (running or waiting for a slot). */
  get inFlight(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.running + lane.queue.length;
    return n;
  }

  /** Declares the server's queues and starts consuming. */
  async start(): Promise<void> {
    if (this.state !== "new") return;
    this.state = "running";
    const { topology } = this.transport;
    const topic = this.target.topic!;
    const exchange = topology.exchange(this.transport.exchangeName(this.target.exchange));
    const onDelivery = (d: Delivery) => this.onDelivery(d);
    const subscriptions = [
      { queue: topology.topicQueue(topic), bindings: [{ exchange, routingKey: topic }] },
      {
        queue: topology.topicQueue(`${topic}.${this.target.server}`),
        bindings: [{ exchange, routingKey: `${topic}.${this.target.server}` }],
      },
      {
        queue: topology.transientQueue(`${topic}_fanout_${uuidHex()}`),
        bindings: [{ exchange: topology.fanoutExchange(topic), routingKey: topic }],
      },
    ];
    for (const s of subscriptions) this.consumers.push(await this.transport.driver.subscribe(s, onDelivery));
  }

  /** Stops consuming, then waits for every accepted request to finish and its reply to be sent. */
  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return this.drained();
    this.state = "stopping";
    await Promise.all(this.consumers.map((c) => c.cancel()));
    this.consumers.length = 0;
    await this.drained();
    this.state = "stopped";
  }

  private drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private onDelivery(delivery: Delivery): void {
    // A request delivered while stopping (before the broker took the cancel) is not ours to run: give it
    // back so the next server of the topic answers it, instead of acking it into oblivion (the caller would
    // wait out its whole timeout, e.g. a heartbeat during a conductor restart).
    if (this.state !== "running") {
      delivery.requeue();
      return;
    }
    // oslo acks RPC requests before dispatching them: a request is run at most once.
    delivery.ack();
    let job: Job;
    try {
      job = this.parse(delivery);
    } catch (err) {
      this.logger.warn({ err: String(err) }, "dropping malformed RPC message");
      this.transport.observer?.messageDropped?.(err instanceof Redelivered ? "duplicate" : "malformed");
      return;
    }
    const lane = this.lanes.find((l) => l.matches(job.request))!;
    job.lane = lane.name;
    lane.queue.push(job);
    this.pump(lane);
  }

  private parse(delivery: Delivery): Job {
    const msg = deserializeMsg(delivery.body);
    const uniqueId = msg._unique_id;
    if (typeof uniqueId === "string" && !this.seen.add(uniqueId)) {
      throw new Redelivered(`duplicate _unique_id ${uniqueId} (redelivery)`);
    }
    const { method, args, namespace, version } = msg;
    if (typeof method !== "string" || method === "") throw new MalformedMessage("no method");
    if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
      throw new MalformedMessage("args is not an object");
    }
    if (namespace !== undefined && namespace !== null && typeof namespace !== "string") {
      throw new MalformedMessage("namespace is not a string");
    }
    if (version !== undefined && version !== null && typeof version !== "string") {
      throw new MalformedMessage("version is not a string");
    }
    const msgId = typeof msg._msg_id === "string" ? msg._msg_id : undefined;
    // Direct reply-to (TS peers only): the broker names the reply address in the reply_to property.
    const replyQ =
      delivery.replyTo?.startsWith("amq.rabbitmq.reply-to") === true
        ? delivery.replyTo
        : typeof msg._reply_q === "string"
          ? msg._reply_q
          : undefined;
    const clientTimeout = msg._timeout ?? null;
    const ctx = unpackContext(msg);
    ctx.client_timeout = clientTimeout;
    const deadlineRaw = delivery.headers[DEADLINE_HEADER];
    return {
      request: {
        method,
        args: (args ?? {}) as Record<string, unknown>,
        namespace: namespace ?? undefined,
        version: version ?? undefined,
      },
      ctx,
      msgId,
      replyQ,
      clientTimeout,
      deadline:
        typeof deadlineRaw === "number" && this.transport.options.rpc_deadline_header
          ? deadlineRaw
          : undefined,
      headers: delivery.headers,
      lane: "default",
    };
  }

  private pump(lane: Lane): void {
    // Not re-entered: a request that finishes synchronously calls done() inside this loop, which then goes on
    // (a recursive pump would nest one frame per queued request).
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (lane.running < lane.maxConcurrency && lane.queue.length > 0) {
        const job = lane.queue.shift()!;
        lane.running += 1;
        this.run(job, () => {
          lane.running -= 1;
          this.pump(lane);
          if (this.inFlight === 0) {
            const idle = this.idle;
            this.idle = [];
            for (const resolve of idle) resolve();
          }
        });
      }
    } finally {
      lane.pumping = false;
    }
  }

  /**
   * Runs one request and calls `done` once it finished and its reply is out. Callbacks rather than an async
   * function: a method that answers synchronously (most do) then costs one promise (its reply's) instead of
   * four, and each promise costs an async-hooks call once an AsyncLocalStorage (tracing, log ids) is on.
   */
  private run(job: Job, done: () => void): void {
    const clock = this.transport.clock;
    if (job.deadline !== undefined && clock.now() > job.deadline) {
      this.logger.info(
        { method: job.request.method, msgId: job.msgId },
        "skipping a request whose caller gave up",
      );
      done();
      return;
    }
    const isCall = job.msgId !== undefined && job.replyQ !== undefined;
    let heartbeat: TimerHandle | undefined;
    const timeout = Number.parseInt(String(job.clientTimeout), 10);
    if (isCall && Number.isFinite(timeout) && timeout / 2 >= 1) {
      const interval = (timeout / 2) * 1000;
      const beat = () => {
        heartbeat = clock.setTimer(interval, beat);
        this.reply(job, null, null, false).catch((err: unknown) =>
          this.logger.debug({ err: String(err) }, "call-monitor heartbeat failed"),
        );
      };
      heartbeat = clock.setTimer(interval, beat);
    }
    const scope = this.transport.observer?.rpcDispatch?.({
      kind: isCall ? "call" : "cast",
      target: this.target,
      method: job.request.method,
      context: job.ctx,
      headers: job.headers,
      lane: job.lane,
      ...(isCall ? { msgId: job.msgId!, replyQueue: job.replyQ! } : {}),
    });
    let value: unknown;
    try {
      const method = findMethod(this.endpoints, job.request);
      value = scope ? scope.run(() => method(job.ctx, job.request.args)) : method(job.ctx, job.request.args);
    } catch (err) {
      this.finish(job, isCall, scope, heartbeat, done, false, err);
      return;
    }
    // Only real promises (thenables) are waited for: a synchronous answer is replied to in this tick.
    if (isThenable(value)) {
      Promise.resolve(value).then(
        (v) => this.finish(job, isCall, scope, heartbeat, done, true, v),
        (err: unknown) => this.finish(job, isCall, scope, heartbeat, done, false, err),
      );
    } else {
      this.finish(job, isCall, scope, heartbeat, done, true, value);
    }
  }

  /** Ends a request: its scope, its reply (calls), then `done` once the reply is out. A method, not a closure
   * made per request. */
  private finish(
    job: Job,
    isCall: boolean,
    scope: RpcDispatchScope | undefined,
    heartbeat: TimerHandle | undefined,
    done: () => void,
    ok: boolean,
    outcome: unknown,
  ): void {
    heartbeat?.cancel();
    let result: unknown = null;
    let failure: string | null = null;
    let sent: Promise<void> | undefined;
    try {
      if (ok) {
        result = outcome ?? null;
        scope?.end();
      } else {
        scope?.end(outcome);
        failure = serializeFailure(outcome);
        this.logger.info(
          { method: job.request.method, request_id: job.ctx.request_id, err: String(outcome) },
          "RPC method raised",
        );
      }
      if (isCall) sent = this.reply(job, result, failure, true);
    } catch (err) {
      // A result or failure that does not serialize: no reply (the caller times out), as before.
      sent = Promise.reject(err);
    }
    // An unconfirmed reply that already went out (PUBLISHED) needs no promise reaction either.
    if (!sent || sent === PUBLISHED) {
      done();
      return;
    }
    sent.then(done, (err: unknown) => {
      this.logger.warn({ err: String(err), msgId: job.msgId }, "could not send the reply");
      done();
    });
  }

  private reply(job: Job, result: unknown, failure: string | null, ending: boolean): Promise<void> {
    const body = serializeMsg({ result, failure, ending, _msg_id: job.msgId, _unique_id: uuidHex() });
    // Unconfirmed: a lost reply surfaces as the caller's timeout either way, and confirms cost the broker.
    const publication: Publication = {
      exchange: null,
      routingKey: job.replyQ!,
      body,
      mandatory: true,
      confirm: false,
    };
    return this.transport.driver.publish(publication);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
