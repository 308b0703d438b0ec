import { type Clock, systemClock } from "@nova/core";
import type { Flow, FlowStep } from "./console-state.js";

/** What the console server reads flows from: a transport's observer or the broker's firehose. */
export interface FlowSource {
  /** The flows kept, oldest first. */
  list(): Flow[];
  /** Calls `listener` with a flow each time a step starts or ends in it; returns the unsubscribe. */
  subscribe(listener: (flow: Flow) => void): () => void;
}

/**
 * What both recorders share: a book of the last `maxFlows` flows timed on `clock`, read through `list`, `get`
 * and `subscribe`; each recorder drops its own state for a flow the book evicts.
 */
export abstract class BookedFlowRecorder implements FlowSource {
  /** The flows recorded. */
  protected readonly book: FlowBook;
  /** The clock steps are timed on. */
  protected readonly clock: Pick<Clock, "now">;

  /** A recorder with nothing recorded yet (defaults: 200 flows, the system clock). */
  protected constructor(options: { maxFlows?: number; clock?: Pick<Clock, "now"> }) {
    this.clock = options.clock ?? systemClock;
    this.book = new FlowBook(options.maxFlows ?? 200, this.clock, (id) => this.forget(id));
  }

  /** The flows kept, oldest first. */
  list(): Flow[] {
    return this.book.list();
  }

  /** One flow by its request id. */
  get(id: string): Flow | undefined {
    return this.book.get(id);
  }

  /** Calls `listener` with a flow each time a step starts or ends in it; returns the unsubscribe. */
  subscribe(listener: (flow: Flow) => void): () => void {
    return this.book.subscribe(listener);
  }

  /** Drops what the recorder holds for a flow the book evicted. */
  protected abstract forget(id: string): void;
}

/** A step's fields as a recorder gives them; the book numbers and times it. */
export type NewFlowStep = Omit<FlowStep, "seq" | "at_ms" | "duration_ms" | "error"> & { error?: string };

/**
 * The flows both recorders keep (FlowRecorder from an observer, FirehoseFlowRecorder from the broker), so the
 * page gets the same model whichever feeds it: the last `maxFlows` by request id, steps timed from the flow's
 * start, and listeners told of every change.
 */
export class FlowBook implements FlowSource {
  private readonly flows = new Map<string, Flow>();
  private readonly listeners = new Set<(flow: Flow) => void>();

  /** A book keeping the last `maxFlows` flows, timed on `clock`; `onForget` hears of each evicted flow. */
  constructor(
    private readonly maxFlows: number,
    private readonly clock: Pick<Clock, "now">,
    private readonly onForget: (id: string) => void = () => {},
  ) {}

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

  /** The flow of `id`, started now with `title` and `origin` when it is new. */
  open(id: string, title: string, origin: Flow["origin"]): Flow {
    let flow = this.flows.get(id);
    if (!flow) {
      flow = { id, title, origin, started_at: this.clock.now(), steps: [] };
      this.flows.set(id, flow);
      if (this.flows.size > this.maxFlows) {
        const oldest = this.flows.keys().next().value!;
        this.flows.delete(oldest);
        this.onForget(oldest);
      }
    }
    return flow;
  }

  /** Appends a step starting now. */
  addStep(flow: Flow, fields: NewFlowStep): FlowStep {
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

  /** Ends a step that started at `startedAt` (epoch ms), now, failed with `error` when given. */
  finish(flow: Flow, step: FlowStep, startedAt: number, error?: string): void {
    step.duration_ms = Math.max(0, this.clock.now() - startedAt);
    if (error !== undefined) step.error = error;
    this.emit(flow);
  }

  /** Milliseconds from the flow's start to now. */
  sinceFlow(flow: Flow): number {
    return Math.max(0, this.clock.now() - flow.started_at);
  }

  /** Tells the listeners the flow changed. */
  emit(flow: Flow): void {
    for (const listener of this.listeners) {
      try {
        listener(flow);
      } catch {
        // A listener's failure (a closed page) must not break the request being watched.
      }
    }
  }
}

/** The flow a request belongs to: the API's `global_request_id`, else the sender's `request_id`. */
export function flowIdOf(context: Record<string, unknown>): string | undefined {
  for (const key of ["global_request_id", "request_id"]) {
    const v = context[key];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
}

/** The API sets global_request_id on every context it builds; timers' work (heartbeats, audits) has none. */
export function originOfContext(context: Record<string, unknown>): Flow["origin"] {
  return typeof context.global_request_id === "string" && context.global_request_id !== ""
    ? "api"
    : "periodic";
}
