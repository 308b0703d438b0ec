import { AsyncLocalStorage } from "node:async_hooks";
import type { Clock } from "@nova/core";
import type {
  MessagingObserver,
  RpcDispatchEvent,
  RpcDispatchScope,
  RpcSendEvent,
  RpcSendScope,
} from "@nova/messaging";
import type { Flow, FlowStep } from "./console-state.js";
import { BookedFlowRecorder, flowIdOf, originOfContext } from "./flow-book.js";

/** Options of a FlowRecorder. */
export interface FlowRecorderOptions {
  /** Flows kept, newest last; older ones are forgotten (default 200). */
  maxFlows?: number;
  /** Wall-clock time of the steps (default the system clock). */
  clock?: Pick<Clock, "now">;
}

// The server method running now, so a request it sends names it as the sender.
interface Running {
  topic: string;
}

/**
 * A messaging observer that turns a transport's traffic into flows: per request id, every call, cast and
 * reply with its queue, `msg_id`, reply queue and timing. It sees what the transport it observes sends and
 * serves (the whole control plane in the all-in-one); it never reads the broker (FirehoseFlowRecorder does).
 */
export class FlowRecorder extends BookedFlowRecorder {
  /** Give this to the transport (combined with telemetry's, `combineObservers`). */
  readonly observer: MessagingObserver;
  private readonly running = new AsyncLocalStorage<Running>();
  // Calls waiting for their server, by msg_id; casts by flow, topic and method (they carry no id).
  private readonly openCalls = new Map<string, FlowStep>();
  private readonly openCasts = new Map<string, FlowStep[]>();

  /** A recorder with nothing recorded yet. */
  constructor(options: FlowRecorderOptions = {}) {
    super(options);
    this.observer = {
      rpcSend: (e) => this.send(e),
      rpcDispatch: (e) => this.dispatch(e),
    };
  }

  private send(e: RpcSendEvent): RpcSendScope {
    const topic = e.target.topic ?? "";
    const origin = originOfContext(e.context);
    const flow = this.flowFor(e.context, origin, e.method, e.msgId);
    const from = this.running.getStore()?.topic ?? origin;
    const step = this.book.addStep(flow, {
      kind: e.kind,
      from,
      to: topic,
      queue:
        e.kind === "fanout" ? `${topic}_fanout` : e.target.server ? `${topic}.${e.target.server}` : topic,
      method: e.method,
      msg_id: e.msgId ?? null,
      reply_queue: e.replyQueue ?? null,
    });
    const started = this.clock.now();
    if (e.kind === "call" && e.msgId) this.openCalls.set(e.msgId, step);
    else this.pushOpenCast(flow.id, topic, e.method, step);
    return {
      end: (error?: unknown) => {
        if (e.kind !== "call") {
          // A cast lasts until its handler ends (below); a failed publish ends it here.
          if (error !== undefined) this.book.finish(flow, step, started, errorName(error));
          return;
        }
        if (e.msgId) this.openCalls.delete(e.msgId);
        this.book.finish(flow, step, started, error === undefined ? undefined : errorName(error));
        const reply = flow.steps.find((s) => s.kind === "reply" && s.msg_id === e.msgId);
        if (reply && reply.duration_ms === null) {
          reply.duration_ms = Math.max(0, this.book.sinceFlow(flow) - reply.at_ms);
          this.book.emit(flow);
        }
      },
    };
  }

  private dispatch(e: RpcDispatchEvent): RpcDispatchScope {
    const topic = e.target.topic ?? "";
    const flow = this.flowFor(e.context, originOfContext(e.context), e.method, e.msgId);
    const cast = e.kind === "cast" ? this.takeOpenCast(flow.id, topic, e.method) : undefined;
    const call = e.msgId ? this.openCalls.get(e.msgId) : undefined;
    const castStarted = cast ? flow.started_at + cast.at_ms : 0;
    const running: Running = { topic };
    return {
      run: <T>(fn: () => T) => this.running.run(running, fn),
      end: (error?: unknown) => {
        if (cast)
          this.book.finish(flow, cast, castStarted, error === undefined ? undefined : errorName(error));
        if (e.kind === "call" && e.msgId && e.replyQueue) {
          this.book.addStep(flow, {
            kind: "reply",
            from: topic,
            to: call?.from ?? "caller",
            queue: e.replyQueue,
            method: e.method,
            msg_id: e.msgId,
            reply_queue: null,
            ...(error === undefined ? {} : { error: errorName(error) }),
          });
        }
      },
    };
  }

  private flowFor(
    context: Record<string, unknown>,
    origin: Flow["origin"],
    method: string,
    msgId: string | undefined,
  ): Flow {
    const id = flowIdOf(context) ?? msgId ?? `flow-${this.clock.now()}`;
    return this.book.open(id, method, origin);
  }

  protected override forget(id: string): void {
    for (const key of this.openCasts.keys()) if (key.startsWith(`${id}\u0000`)) this.openCasts.delete(key);
  }

  private pushOpenCast(flowId: string, topic: string, method: string, step: FlowStep): void {
    const key = `${flowId}\u0000${topic}\u0000${method}`;
    const open = this.openCasts.get(key);
    if (open) open.push(step);
    else this.openCasts.set(key, [step]);
  }

  private takeOpenCast(flowId: string, topic: string, method: string): FlowStep | undefined {
    const key = `${flowId}\u0000${topic}\u0000${method}`;
    const open = this.openCasts.get(key);
    const step = open?.shift();
    if (open && open.length === 0) this.openCasts.delete(key);
    return step;
  }
}

function errorName(err: unknown): string {
  if (err instanceof Error) return err.name === "Error" ? err.constructor.name : err.name;
  return typeof err;
}
