// A TracerProvider for @opentelemetry/api whose spans are plain records handed to the SDK's span processors
// and exporters (BatchSpanProcessor, OTLP) when they end. The SDK's own span path (sanitising every attribute,
// high-resolution time arithmetic per call, a per-span metrics hook, ids from Math.random) cost about as much
// as the RPC it traced; an RPC makes two spans per call, so the per-span work here is what the bench measures.
// See docs/decisions/2026-12-07-span-recorder.md.

import { randomFillSync } from "node:crypto";
import { isValidSpanContext } from "@nova/telemetry";
import {
  type Attributes,
  type AttributeValue,
  context as apiContext,
  type Context,
  type Exception,
  type HrTime,
  INVALID_SPAN_CONTEXT,
  INVALID_SPANID,
  INVALID_TRACEID,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { type InstrumentationScope, isTracingSuppressed } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import {
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SpanProcessor,
  type TimedEvent,
} from "@opentelemetry/sdk-trace-base";

/** What every span of a provider shares. */
interface Recorder {
  readonly resource: Resource;
  readonly processor: SpanProcessor;
  readonly sampler: Sampler;
  readonly ids: IdPool;
}

/** A tracer provider recording spans into one span processor, sampled by an SDK sampler. */
export class SpanRecorder implements TracerProvider {
  private readonly recorder: Recorder;
  private readonly tracers = new Map<string, Tracer>();

  /** A provider whose spans carry `resource`, are sampled by `sampler` and end in `processor`. */
  constructor(options: { resource: Resource; processor: SpanProcessor; sampler: Sampler }) {
    this.recorder = { ...options, ids: new IdPool() };
  }

  /** The tracer of one instrumentation scope, made once per name, version and schema URL. */
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const key = `${name}\0${version ?? ""}\0${options?.schemaUrl ?? ""}`;
    let tracer = this.tracers.get(key);
    if (!tracer) {
      const scope: InstrumentationScope = {
        name,
        ...(version !== undefined ? { version } : {}),
        ...(options?.schemaUrl !== undefined ? { schemaUrl: options.schemaUrl } : {}),
      };
      tracer = new RecordingTracer(scope, this.recorder);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  /** Exports what the processor holds. */
  forceFlush(): Promise<void> {
    return this.recorder.processor.forceFlush();
  }

  /** Exports what the processor holds, then stops it and its exporter. */
  shutdown(): Promise<void> {
    return this.recorder.processor.shutdown();
  }
}

class RecordingTracer implements Tracer {
  constructor(
    private readonly scope: InstrumentationScope,
    private readonly recorder: Recorder,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = apiContext.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpanContext(ctx);
    const validParent = parent && isValidSpanContext(parent) ? parent : undefined;
    const { ids, sampler } = this.recorder;
    const traceId = validParent ? validParent.traceId : ids.traceId();
    const spanId = ids.spanId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const attributes = options.attributes ?? {};
    const links = options.links ?? [];
    const sampled = sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags:
        sampled.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
    };
    const traceState = sampled.traceState ?? validParent?.traceState;
    if (traceState) spanContext.traceState = traceState;
    if (sampled.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new RecordedSpan(
      this.recorder,
      this.scope,
      name,
      kind,
      spanContext,
      validParent,
      options.startTime === undefined ? nowMs() : epochMs(options.startTime),
    );
    if (options.attributes) span.setAttributes(options.attributes);
    if (sampled.attributes) span.setAttributes(sampled.attributes);
    if (options.links) span.addLinks(options.links);
    this.recorder.processor.onStart(span as never, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> {
    const fn = (c ?? (typeof b === "function" ? b : a)) as F;
    const options = typeof a === "object" ? a : undefined;
    const parent = typeof b === "object" ? b : apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

/**
 * A sampled span: what the API lets a caller record, read by processors and exporters as a ReadableSpan.
 * Spans wait in the batch processor for export, long enough to outlive a young-generation collection, so a
 * span allocates as little as it can: no links, events or status of its own until it has some, and frozen
 * attributes (the per-target ones an RPC span gets) shared rather than copied.
 */
class RecordedSpan implements Span, ReadableSpan {
  links: Link[] = NONE;
  events: TimedEvent[] = NONE;
  status: SpanStatus = UNSET;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private endMs = -1;
  /** Frozen attributes set before any other: shared, never written. */
  private shared: Attributes | undefined;
  private own: Attributes | undefined;

  constructor(
    private readonly recorder: Recorder,
    readonly instrumentationScope: InstrumentationScope,
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    private readonly startMs: number,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }

  get attributes(): Attributes {
    if (!this.own) return this.shared ?? EMPTY_ATTRIBUTES;
    if (this.shared) {
      this.own = { ...this.shared, ...this.own };
      this.shared = undefined;
    }
    return this.own;
  }

  get resource(): Resource {
    return this.recorder.resource;
  }
  get startTime(): HrTime {
    return hrTime(this.startMs);
  }
  get endTime(): HrTime {
    return hrTime(this.ended ? this.endMs : this.startMs);
  }
  get duration(): HrTime {
    return hrTime(this.ended ? this.endMs - this.startMs : 0, true);
  }
  get ended(): boolean {
    return this.endMs >= 0;
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.ended || !key || !isAttributeValue(value)) return this;
    if (!this.own) this.own = {};
    this.own[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (!this.shared && !this.own && !this.ended && Object.isFrozen(attributes)) {
      this.shared = attributes;
      return this;
    }
    for (const key in attributes) {
      const value = attributes[key];
      if (value !== undefined) this.setAttribute(key, value);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    const isTime = isTimeInput(attributesOrTime);
    const at = isTime ? attributesOrTime : time;
    const attributes = isTime ? {} : { ...(attributesOrTime as Attributes | undefined) };
    if (this.events === NONE) this.events = [];
    this.events.push({
      name,
      attributes,
      // An [s, ns] given is kept as given; a span's own times go through milliseconds (to ~0.2 µs).
      time: Array.isArray(at) ? [at[0], at[1]] : hrTime(at === undefined ? nowMs() : epochMs(at)),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NONE) this.links = [];
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // As the SDK: UNSET never overrides, and OK is final.
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK)
      return this;
    this.status = status.code === SpanStatusCode.ERROR ? { ...status } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    const end = endTime === undefined ? nowMs() : epochMs(endTime);
    this.endMs = Math.max(end, this.startMs);
    this.recorder.processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === "string") attributes["exception.message"] = exception;
    else if (exception) {
      const type = exception.name ?? (exception.code !== undefined ? String(exception.code) : undefined);
      if (type) attributes["exception.type"] = type;
      if (exception.message) attributes["exception.message"] = exception.message;
      if (exception.stack) attributes["exception.stacktrace"] = exception.stack;
    }
    this.addEvent("exception", attributes, time);
  }
}

const NONE = Object.freeze([]) as never[];
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * Trace and span ids from a pool of random bytes refilled 4 KiB at a time (one system call per ~200 spans
 * instead of Math.random per four bytes). An all-zero id is invalid in W3C trace context: drawn again.
 */
class IdPool {
  private readonly bytes = Buffer.allocUnsafe(4096);
  private offset = this.bytes.length;

  traceId(): string {
    return this.take(16, INVALID_TRACEID);
  }

  spanId(): string {
    return this.take(8, INVALID_SPANID);
  }

  private take(size: number, invalid: string): string {
    for (;;) {
      if (this.offset + size > this.bytes.length) {
        randomFillSync(this.bytes);
        this.offset = 0;
      }
      const id = this.bytes.toString("hex", this.offset, this.offset + size);
      this.offset += size;
      if (id !== invalid) return id;
    }
  }
}

// Times are kept as epoch milliseconds (a double keeps them to a fraction of a microsecond) and turned into
// the [seconds, nanoseconds] the exporters read only when they read them.
const TIME_ORIGIN = performance.timeOrigin;

function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}

/** A TimeInput as epoch milliseconds: numbers below the time origin are performance.now() readings. */
function epochMs(time: TimeInput): number {
  if (typeof time === "number") return time < TIME_ORIGIN ? TIME_ORIGIN + time : time;
  if (Array.isArray(time)) return time[0] * 1000 + time[1] / 1e6;
  return time.getTime();
}

function hrTime(ms: number, isDuration = false): HrTime {
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return isDuration && ms <= 0 ? [0, 0] : [seconds, nanos];
}

function isTimeInput(v: unknown): v is TimeInput {
  return typeof v === "number" || v instanceof Date || (Array.isArray(v) && v.length === 2);
}

/** What the SDK keeps as an attribute value: a primitive, or an array of one primitive type (nulls allowed). */
function isAttributeValue(v: unknown): v is AttributeValue {
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean") return true;
  if (!Array.isArray(v)) return false;
  let type: string | undefined;
  for (const item of v) {
    if (item === null || item === undefined) continue;
    const it = typeof item;
    if (it !== "string" && it !== "number" && it !== "boolean") return false;
    if (type === undefined) type = it;
    else if (type !== it) return false;
  }
  return true;
}
