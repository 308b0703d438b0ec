import { PUBLISHED, type Publication } from "../drivers/driver.js";
import { InvalidTarget } from "../errors/invalid-target.js";
import type { MessagingTimeoutDetails } from "../errors/messaging-timeout.js";
import { RpcVersionCapError } from "../errors/version-cap-error.js";
import type { Transport } from "../transport.js";
import { serializeMsg } from "../wire/envelope.js";
import type { RemoteErrorRegistry } from "../wire/failure.js";
import { uuidHex } from "../wire/ids.js";
import { packContext, type RequestContext } from "../wire/request-context.js";
import type { WaitOptions } from "./reply-waiter.js";
import { checkVersion, isVersionCompatible } from "./rpc-version.js";
import type { Target } from "./target.js";

/** AMQP header carrying the caller's absolute deadline (epoch ms), with `rpc_deadline_header` on. */
export const DEADLINE_HEADER = "x-nova-deadline";

/** Client settings; every one can be changed per call with prepare(). Times are in seconds, as in oslo. */
export interface RpcClientOptions {
  /** Call timeout in seconds; default `rpc_response_timeout`. */
  timeout?: number;
  /** Refuse to send messages above this version (rolling upgrades). */
  versionCap?: string;
  /** Fail a call when no call-monitor heartbeat arrives for this many seconds (server heartbeats every N/2). */
  callMonitorTimeout?: number;
  /** Remote error types rebuilt as typed errors; others arrive as RemoteError. */
  remoteErrors?: RemoteErrorRegistry;
}

/** What prepare() may override: the target's fields and the client options. */
export type PrepareOptions = Target & RpcClientOptions;

/** Arguments of an RPC method: keyword arguments only, as oslo's. */
export type RpcArgs = Record<string, unknown>;

/**
 * An RPC interface as a map of method signatures `(ctx, args) => result`, shared by a service's client and its
 * endpoint so both sides agree on argument and result types (`RpcClient<ConductorMethods>`). Declare it with
 * `type`, not `interface`, so it also fits `RpcEndpoint.methods`.
 */
// biome-ignore lint/suspicious/noExplicitAny: a method map may declare any argument shape.
export type RpcMethodMap = Record<string, (ctx: RequestContext, args: any) => unknown>;

/** The keyword arguments a method of a method map takes. */
export type RpcMethodArgs<F> = F extends (ctx: RequestContext, args: infer A) => unknown ? A : RpcArgs;

/** What a method of a method map resolves to. */
export type RpcMethodResult<F> = F extends (...args: never[]) => infer R ? Awaited<R> : unknown;

/**
 * Calls and casts to RPC servers (oslo's `RPCClient`): `call` waits for the reply, `cast` resolves once the
 * broker has confirmed the message, `cast` on a `fanout` target reaches every server of the topic.
 */
export class RpcClient<M extends object = RpcMethodMap> {
  /** Where this client sends. */
  readonly target: Readonly<Target>;
  /** Timeout, version cap, call monitor and remote errors. */
  readonly options: Readonly<RpcClientOptions>;

  /** Sends to `target` over `transport`. */
  constructor(
    private readonly transport: Transport,
    target: Target,
    options: RpcClientOptions = {},
  ) {
    if (target.version !== undefined) checkVersion(target.version);
    if (options.versionCap !== undefined) checkVersion(options.versionCap);
    this.target = { ...target };
    this.options = { ...options };
  }

  /** A client with some target fields or options changed (`version`, `server`, `fanout`, `timeout`...). */
  prepare(overrides: PrepareOptions): RpcClient<M> {
    const { timeout, versionCap, callMonitorTimeout, remoteErrors, ...target } = overrides;
    const options: RpcClientOptions = { ...this.options };
    if (timeout !== undefined) options.timeout = timeout;
    if (versionCap !== undefined) options.versionCap = versionCap;
    if (callMonitorTimeout !== undefined) options.callMonitorTimeout = callMonitorTimeout;
    if (remoteErrors !== undefined) options.remoteErrors = remoteErrors;
    return new RpcClient<M>(this.transport, { ...this.target, ...target }, options);
  }

  /** Whether `version` (default: the target's) is within the version cap. */
  canSendVersion(version?: string): boolean {
    return isVersionCompatible(this.options.versionCap, version ?? this.target.version);
  }

  /** Sends without waiting for a result; resolves when the broker has confirmed the message. */
  async cast<K extends keyof M & string>(
    ctx: RequestContext,
    method: K,
    args: RpcMethodArgs<M[K]> = {} as RpcMethodArgs<M[K]>,
  ): Promise<void> {
    const msg = this.makeMessage(method, args);
    msg._unique_id = uuidHex();
    packContext(msg, ctx);
    const kind = this.target.fanout ? "fanout" : "cast";
    const scope = this.transport.observer?.rpcSend?.({ kind, target: this.target, method, context: ctx });
    const publication = this.publication(msg, undefined, undefined, scope?.headers);
    if (!scope) return this.transport.driver.publish(publication);
    try {
      await this.transport.driver.publish(publication);
    } catch (err) {
      scope.end(err);
      throw err;
    }
    scope.end();
  }

  /** Invokes a method and waits for its reply; MessagingTimeout after `timeout` s. Remote errors are rethrown. */
  call<K extends keyof M & string>(
    ctx: RequestContext,
    method: K,
    args: RpcMethodArgs<M[K]> = {} as RpcMethodArgs<M[K]>,
  ): Promise<RpcMethodResult<M[K]>> {
    // Not async: a call returns the reply waiter's own promise, observed or not; an async wrapper and its await
    // would add two promises and a tick to every call.
    try {
      return this.send(ctx, method, args) as Promise<RpcMethodResult<M[K]>>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private send(ctx: RequestContext, method: string, args: unknown): Promise<unknown> {
    if (this.target.fanout) throw new InvalidTarget("A call cannot be used with fanout");
    const msg = this.makeMessage(method, args);
    const transport = this.transport;
    const waiter = transport.replyWaiter();
    if (!waiter.ready) return waiter.start().then(() => this.send(ctx, method, args));
    const timeoutMs = (this.options.timeout ?? transport.options.rpc_response_timeout) * 1000;
    const monitor = this.options.callMonitorTimeout;
    const msgId = uuidHex();
    msg._msg_id = msgId;
    msg._reply_q = waiter.queueName;
    msg._timeout = monitor ?? null;
    msg._unique_id = uuidHex();
    packContext(msg, ctx);
    const { topic, server } = this.target;
    // Plain assignments, not spreads of optional fields: this runs once per call.
    const details: MessagingTimeoutDetails = { method, queue: server ? `${topic}.${server}` : topic! };
    if (topic !== undefined) details.topic = topic;
    if (server !== undefined) details.server = server;
    const waitOptions: WaitOptions = { timeoutMs, details };
    if (monitor !== undefined) waitOptions.callMonitorMs = monitor * 1000;
    if (this.options.remoteErrors !== undefined) waitOptions.remoteErrors = this.options.remoteErrors;
    const scope = transport.observer?.rpcSend?.({
      kind: "call",
      target: this.target,
      method,
      context: ctx,
      msgId,
      replyQueue: waiter.queueName,
    });
    // The scope ends when the reply waiter settles the call (a callback, not a reaction on its promise).
    if (scope) waitOptions.settled = (error?: unknown) => scope.end(error);
    const reply = waiter.wait(msgId, waitOptions);
    const deadline = transport.options.rpc_deadline_header ? transport.clock.now() + timeoutMs : undefined;
    // The reply confirms the request; a broker confirm would only add work on the broker.
    const publication = this.publication(msg, timeoutMs, deadline, scope?.headers);
    publication.confirm = false;
    if (waiter.queueName === "amq.rabbitmq.reply-to") publication.replyTo = waiter.queueName;
    const sent = transport.driver.publish(publication);
    // A publish that already went out cannot fail later: no catch (a promise) to attach.
    if (sent !== PUBLISHED) sent.catch((err: unknown) => waiter.cancel(msgId, err));
    return reply;
  }

  private makeMessage(method: string, args: unknown): Record<string, unknown> {
    if (!this.target.topic) throw new InvalidTarget("A topic is required to send a message");
    const msg: Record<string, unknown> = { method, args };
    if (this.target.namespace !== undefined) msg.namespace = this.target.namespace;
    if (this.target.version !== undefined) msg.version = this.target.version;
    if (this.options.versionCap !== undefined && !this.canSendVersion()) {
      throw new RpcVersionCapError(this.target.version ?? "None", this.options.versionCap);
    }
    return msg;
  }

  private publication(
    msg: Record<string, unknown>,
    timeoutMs: number | undefined,
    deadline: number | undefined,
    extraHeaders: Readonly<Record<string, string>> | undefined,
  ): Publication {
    const { topology } = this.transport;
    const topic = this.target.topic!;
    const body = serializeMsg(msg);
    // The observer's headers are sent as they are; copied only to add to them.
    let headers: Record<string, unknown> = extraHeaders ?? {};
    if (deadline !== undefined) headers = { ...headers, [DEADLINE_HEADER]: deadline };
    if (this.target.fanout) {
      return { exchange: topology.fanoutExchange(topic), routingKey: "", body, headers };
    }
    const publication: Publication = {
      exchange: topology.exchange(this.transport.exchangeName(this.target.exchange)),
      routingKey: this.target.server ? `${topic}.${this.target.server}` : topic,
      body,
      headers,
    };
    if (timeoutMs !== undefined) publication.expirationMs = timeoutMs;
    return publication;
  }
}
