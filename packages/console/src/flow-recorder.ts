import { AsyncLocalStorage } from "node:async_hooks";
import { type Clock, systemClock } from "@nova/core";
import type {
  MessagingObserver,
  RpcDispatchEvent,
  RpcDispatchScope,
  RpcSendEvent,
  RpcSendScope,
} from "@nova/messaging";
import type { Flow, FlowStep } from "./console-state.js";

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
 * serves (the whole control plane in the all-in-one); it never reads the broker.
 */
export class FlowRecorder {
  /** Give this to the transport (combined with telemetry's, `combineObservers`). */
  readonly observer: MessagingObserver;
  private readonly flows = new Map<string, Flow>();
  private readonly listeners = new Set<(flow: Flow) => void>();
  private readonly running = new AsyncLocalStorage<Running>();
  // Calls waiting for their server, by msg_id; casts by flow, topic and method (they carry no id).
  private readonly openCalls = new Map<string, FlowStep>();
  private readonly openCasts = new Map<string, FlowStep[]>();
  private readonly maxFlows: number;
  private readonly clock: Pick<Clock, "now">;

  /** A recorder with nothing recorded yet. */
  constructor(options: FlowRecorderOptions = {}) {
    this.maxFlows = options.maxFlows ?? 200;
    this.clock = options.clock ?? systemClock;
    this.observer = {
      rpcSend: (e) => this.send(e),
      rpcDispatch: (e) => this.dispatch(e),
    };
  }

  /** The flows kept, oldest first. */
  list(): Flow[] {
    return [...this.flows.values()];
  }

  /** One flow by its request id. */
  get(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  /** Calls `listener` with a flow each time a step starts or ends in it; returns the unsubscribe. */
  subscribe(listener: (flow: Flow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private send(e: RpcSendEvent): RpcSendScope {
    const topic = e.target.topic ?? "";
    const origin = originOf(e);
    const flow = this.flowFor(e.context, origin, e.method, e.msgId);
    const from = this.running.getStore()?.topic ?? origin;
    const step = this.addStep(flow, {
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
          if (error !== undefined) this.finish(flow, step, started, error);
          return;
        }
        if (e.msgId) this.openCalls.delete(e.msgId);
        this.finish(flow, step, started, error);
        const reply = flow.steps.find((s) => s.kind === "reply" && s.msg_id === e.msgId);
        if (reply && reply.duration_ms === null) {
          reply.duration_ms = Math.max(0, this.sinceFlow(flow) - reply.at_ms);
          this.emit(flow);
        }
      },
    };
  }

  private dispatch(e: RpcDispatchEvent): RpcDispatchScope {
    const topic = e.target.topic ?? "";
    const flow = this.flowFor(e.context, originOf(e), e.method, e.msgId);
    const cast = e.kind === "cast" ? this.takeOpenCast(flow.id, topic, e.method) : undefined;
    const call = e.msgId ? this.openCalls.get(e.msgId) : undefined;
    const castStarted = cast ? flow.started_at + cast.at_ms : 0;
    const running: Running = { topic };
    return {
      run: <T>(fn: () => T) => this.running.run(running, fn),
      end: (error?: unknown) => {
        if (cast) this.finish(flow, cast, castStarted, error);
        if (e.kind === "call" && e.msgId && e.replyQueue) {
          this.addStep(flow, {
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
    const id = flowId(context) ?? msgId ?? `flow-${this.clock.now()}`;
    let flow = this.flows.get(id);
    if (!flow) {
      flow = { id, title: method, origin, started_at: this.clock.now(), steps: [] };
      this.flows.set(id, flow);
      if (this.flows.size > this.maxFlows) this.forget(this.flows.keys().next().value!);
    }
    return flow;
  }

  private forget(id: string): void {
    this.flows.delete(id);
    for (const key of this.openCasts.keys()) if (key.startsWith(`${id}\u0000`)) this.openCasts.delete(key);
  }

  private addStep(
    flow: Flow,
    fields: Omit<FlowStep, "seq" | "at_ms" | "duration_ms" | "error"> & { error?: string },
  ): FlowStep {
    const step: FlowStep = {
      seq: flow.steps.length + 1,
      ...fields,
      at_ms: this.sinceFlow(flow),
      duration_ms: null,
      error: fields.error ?? null,
    };
    flow.steps.push(step);
    this.emit(flow);
    return step;
  }

  private finish(flow: Flow, step: FlowStep, startedAt: number, error: unknown): void {
    step.duration_ms = Math.max(0, this.clock.now() - startedAt);
    if (error !== undefined) step.error = errorName(error);
    this.emit(flow);
  }

  private sinceFlow(flow: Flow): number {
    return Math.max(0, this.clock.now() - flow.started_at);
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

  private emit(flow: Flow): void {
    for (const listener of this.listeners) {
      try {
        listener(flow);
      } catch {
        // A listener's failure (a closed page) must not break the request being watched.
      }
    }
  }
}

// The API sets global_request_id on every context it builds; timers' work (heartbeats, audits) has none.
function originOf(e: { context: Record<string, unknown> }): Flow["origin"] {
  return typeof e.context.global_request_id === "string" && e.context.global_request_id !== ""
    ? "api"
    : "periodic";
}

function flowId(context: Record<string, unknown>): string | undefined {
  for (const key of ["global_request_id", "request_id"]) {
    const v = context[key];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
}

function errorName(err: unknown): string {
  if (err instanceof Error) return err.name === "Error" ? err.constructor.name : err.name;
  return typeof err;
}
