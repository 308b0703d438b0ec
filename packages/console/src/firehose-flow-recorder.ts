import type { Clock } from "@nova/core";
import type { Flow, FlowStep } from "./console-state.js";
import { BookedFlowRecorder, flowIdOf, originOfContext } from "./flow-book.js";

/** One message of RabbitMQ's firehose (`amq.rabbitmq.trace`), as the broker traced it. */
export interface TracedMessage {
  /** `publish.<exchange>` when a message entered an exchange, `deliver.<queue>` when a consumer got it. */
  routingKey: string;
  /** The firehose's headers: `exchange_name`, `routing_keys` (the original routing keys), `properties`, ... */
  headers: Record<string, unknown>;
  /** The traced message's body: oslo.messaging's envelope. */
  body: string;
}

/** Options of a FirehoseFlowRecorder. */
export interface FirehoseFlowRecorderOptions {
  /** Flows kept, newest last; older ones are forgotten (default 200). */
  maxFlows?: number;
  /** The clock traced messages are timed on, as they arrive (default the system clock). */
  clock?: Pick<Clock, "now">;
}

// A call seen published, until its reply is delivered.
interface OpenCall {
  flow: Flow;
  step: FlowStep;
  publishedAt: number;
  delivered: boolean;
  reply?: { step: FlowStep; publishedAt: number };
}

// A cast seen published, until a consumer gets it.
interface OpenCast {
  step: FlowStep;
  publishedAt: number;
}

// A request a server is handling now (delivered, not yet answered), so what it sends names it as the sender.
interface Handling {
  topic: string;
  msgId: string | null;
}

/**
 * Builds the console's flows from the broker: RabbitMQ's firehose traces every publish and delivery in a vhost,
 * so separate services need no observer of their own. The model is FlowRecorder's; what the broker cannot see
 * is approximated: a cast lasts from publish to delivery (the broker never sees its handler end), and a
 * request's sender is the topic of the latest request its flow delivered and has not answered yet.
 */
export class FirehoseFlowRecorder extends BookedFlowRecorder {
  private readonly calls = new Map<string, OpenCall>();
  private readonly casts = new Map<string, OpenCast[]>();
  private readonly handling = new Map<string, Handling[]>();

  /** A recorder with nothing recorded yet. */
  constructor(options: FirehoseFlowRecorderOptions = {}) {
    super(options);
  }

  /** Records one traced message; anything but an oslo RPC request or reply (notifications, junk) is skipped. */
  record(traced: TracedMessage): void {
    const event = traced.routingKey.startsWith("publish.")
      ? "publish"
      : traced.routingKey.startsWith("deliver.")
        ? "deliver"
        : undefined;
    const msg = event ? osloMessage(traced.body) : undefined;
    if (!event || !msg) return;
    const exchange =
      typeof traced.headers.exchange_name === "string"
        ? traced.headers.exchange_name
        : event === "publish"
          ? traced.routingKey.slice("publish.".length)
          : "";
    const keys = traced.headers.routing_keys;
    const routingKey = Array.isArray(keys) && typeof keys[0] === "string" ? keys[0] : "";
    const msgId = typeof msg._msg_id === "string" ? msg._msg_id : undefined;
    if (typeof msg.method === "string") {
      const request = { method: msg.method, msgId, exchange, routingKey, context: contextOf(msg) };
      if (event === "publish") this.published(request, msg);
      else this.delivered(request, msg);
    } else if (msgId && ("result" in msg || "failure" in msg || "ending" in msg)) {
      if (event === "publish") this.replyPublished(msgId, routingKey || exchange, msg.failure);
      else this.replyDelivered(msgId);
    }
  }

  private published(r: Request, msg: Record<string, unknown>): OpenCall | OpenCast | undefined {
    if (r.msgId && this.calls.has(r.msgId)) return undefined; // its delivery was traced first
    const flow = this.book.open(
      flowIdOf(r.context) ?? r.msgId ?? `flow-${this.clock.now()}`,
      r.method,
      originOfContext(r.context),
    );
    const fanout = r.exchange.endsWith("_fanout");
    const topic = fanout ? r.exchange.slice(0, -"_fanout".length) : topicOf(r.routingKey);
    const step = this.book.addStep(flow, {
      kind: r.msgId ? "call" : fanout ? "fanout" : "cast",
      from: this.senderIn(flow),
      to: topic,
      queue: fanout ? r.exchange : r.routingKey,
      method: r.method,
      msg_id: r.msgId ?? null,
      reply_queue: r.msgId && typeof msg._reply_q === "string" ? msg._reply_q : null,
    });
    const publishedAt = this.clock.now();
    if (r.msgId) {
      const call: OpenCall = { flow, step, publishedAt, delivered: false };
      this.calls.set(r.msgId, call);
      return call;
    }
    const cast: OpenCast = { step, publishedAt };
    const key = castKey(flow.id, r);
    const open = this.casts.get(key);
    if (open) open.push(cast);
    else this.casts.set(key, [cast]);
    return cast;
  }

  private delivered(r: Request, msg: Record<string, unknown>): void {
    if (r.msgId) {
      const call = this.calls.get(r.msgId) ?? (this.published(r, msg) as OpenCall | undefined);
      if (!call || call.delivered) return;
      call.delivered = true;
      this.handlingIn(call.flow.id).push({ topic: call.step.to, msgId: r.msgId });
      return;
    }
    const flowId = flowIdOf(r.context);
    const flow = flowId === undefined ? undefined : this.book.get(flowId);
    if (!flow) return;
    const key = castKey(flow.id, r);
    const open = this.casts.get(key);
    const cast = open?.shift();
    if (open && open.length === 0) this.casts.delete(key);
    // A fanout reaches every server's queue: the first delivery ends the step, each one handles it.
    if (cast) this.book.finish(flow, cast.step, cast.publishedAt);
    const topic = r.exchange.endsWith("_fanout")
      ? r.exchange.slice(0, -"_fanout".length)
      : topicOf(r.routingKey);
    this.handlingIn(flow.id).push({ topic, msgId: null });
  }

  private replyPublished(msgId: string, queue: string, failure: unknown): void {
    const call = this.calls.get(msgId);
    // oslo may answer in two messages (the result, then `ending`); the first is the reply.
    if (!call || call.reply) return;
    const error = failureClass(failure);
    const step = this.book.addStep(call.flow, {
      kind: "reply",
      from: call.step.to,
      to: call.step.from,
      queue,
      method: call.step.method,
      msg_id: msgId,
      reply_queue: null,
      ...(error === undefined ? {} : { error }),
    });
    call.reply = { step, publishedAt: this.clock.now() };
    const handling = this.handling.get(call.flow.id);
    const at = handling?.findIndex((h) => h.msgId === msgId) ?? -1;
    if (handling && at >= 0) handling.splice(at, 1);
  }

  private replyDelivered(msgId: string): void {
    const call = this.calls.get(msgId);
    if (!call?.reply) return;
    this.calls.delete(msgId);
    this.book.finish(call.flow, call.reply.step, call.reply.publishedAt);
    this.book.finish(call.flow, call.step, call.publishedAt, call.reply.step.error ?? undefined);
  }

  private senderIn(flow: Flow): string {
    return this.handling.get(flow.id)?.at(-1)?.topic ?? flow.origin;
  }

  private handlingIn(flowId: string): Handling[] {
    let list = this.handling.get(flowId);
    if (!list) {
      list = [];
      this.handling.set(flowId, list);
    }
    return list;
  }

  protected override forget(id: string): void {
    this.handling.delete(id);
    for (const [msgId, call] of this.calls) if (call.flow.id === id) this.calls.delete(msgId);
    for (const key of this.casts.keys()) if (key.startsWith(`${id}\u0000`)) this.casts.delete(key);
  }
}

interface Request {
  method: string;
  msgId: string | undefined;
  exchange: string;
  routingKey: string;
  context: Record<string, unknown>;
}

function castKey(flowId: string, r: Request): string {
  return `${flowId}\u0000${r.exchange}\u0000${r.routingKey}\u0000${r.method}`;
}

// `compute.fake-1` is the `compute` topic's server queue.
function topicOf(routingKey: string): string {
  const dot = routingKey.indexOf(".");
  return dot < 0 ? routingKey : routingKey.slice(0, dot);
}

/** oslo's envelope (`oslo.message` JSON inside JSON) or a bare 1.0 message; undefined for anything else. */
function osloMessage(body: string): Record<string, unknown> | undefined {
  const asObject = (text: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(text);
      return typeof v === "object" && v !== null && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const outer = asObject(body);
  const inner = outer?.["oslo.message"];
  return typeof inner === "string" ? asObject(inner) : outer;
}

/** oslo sends the request context flattened into `_context_<key>` fields. */
function contextOf(msg: Record<string, unknown>): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) if (k.startsWith("_context_")) context[k.slice(9)] = v;
  return context;
}

/** The remote error's class from oslo's `failure` (a JSON string naming `class`), when the call failed. */
function failureClass(failure: unknown): string | undefined {
  if (failure === null || failure === undefined) return undefined;
  if (typeof failure === "string") {
    try {
      const parsed = JSON.parse(failure) as { class?: unknown };
      if (typeof parsed.class === "string") return parsed.class;
    } catch {
      // Not JSON: still a failure.
    }
  }
  return "RemoteError";
}
