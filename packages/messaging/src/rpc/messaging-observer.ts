import type { DriverState } from "../drivers/driver.js";
import type { RequestContext } from "../wire/request-context.js";
import type { Target } from "./target.js";

/** How a request was sent: a call waits for a reply, a cast does not, a fanout cast reaches every server. */
export type RpcSendKind = "call" | "cast" | "fanout";

/** One outgoing request, as an observer sees it before it is published. */
export interface RpcSendEvent {
  /** call, cast or fanout. */
  kind: RpcSendKind;
  /** The client's target (topic, server, exchange, version). */
  target: Readonly<Target>;
  /** The method called. */
  method: string;
  /** The request context sent along (`request_id`, `global_request_id`, ...). */
  context: RequestContext;
  /** A call's `_msg_id` (the id its reply carries back). */
  msgId?: string;
  /** A call's `_reply_q`: the queue its reply comes back on. */
  replyQueue?: string;
}

/** The observer's handle on one outgoing request. */
export interface RpcSendScope {
  /**
   * AMQP headers to add to the request (trace context such as `traceparent`): headers ride outside
   * oslo's JSON envelope, where Python peers never look.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request ended: replied (call), confirmed (cast), or failed with `error`. */
  end(error?: unknown): void;
}

/** One incoming request, as an observer sees it before its endpoint method runs. */
export interface RpcDispatchEvent {
  /** call (a reply is expected) or cast. */
  kind: "call" | "cast";
  /** The server's target (topic and server). */
  target: Readonly<Target>;
  /** The method asked for. */
  method: string;
  /** The request context received. */
  context: RequestContext;
  /** The AMQP headers received (trace context, when the caller sent one). */
  headers: Readonly<Record<string, unknown>>;
  /** The server lane the request runs in. */
  lane: string;
  /** A call's `_msg_id`. */
  msgId?: string;
  /** A call's `_reply_q`, where the reply goes. */
  replyQueue?: string;
}

/** The observer's handle on one incoming request. */
export interface RpcDispatchScope {
  /**
   * Runs the endpoint method inside the observer's async context (a span, the request id of log lines) and
   * returns what it returns, a promise or a plain value (most methods answer synchronously); a synchronous
   * throw propagates.
   */
  run<T>(fn: () => T): T;
  /** The method finished (its reply, if any, is being sent); `error` when it raised. */
  end(error?: unknown): void;
}

/** Why a message was dropped without being handled. */
export type DroppedMessageReason =
  | "malformed"
  | "duplicate"
  | "malformed_reply"
  | "duplicate_reply"
  | "late_reply";

/**
 * Watches a transport's traffic (metrics, traces): every hook is optional, and a transport without an
 * observer runs none of this code. Hooks must not throw; an observer that does breaks the request it watches.
 */
export interface MessagingObserver {
  /** A client is about to publish a call, cast or fanout. */
  rpcSend?(event: RpcSendEvent): RpcSendScope;
  /** A server accepted a request and is about to run it. */
  rpcDispatch?(event: RpcDispatchEvent): RpcDispatchScope;
  /** A server or reply queue dropped a message (malformed, redelivered, a reply nobody waits for). */
  messageDropped?(reason: DroppedMessageReason): void;
  /** The broker connection came up or went down (`rabbit://` only). */
  connectionState?(state: DriverState): void;
  /** Messages held while the broker is unreachable, after each change. */
  bufferedMessages?(count: number): void;
}
