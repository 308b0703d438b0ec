import { type Clock, systemClock } from "@nova/core";
import {
  Counter,
  Gauge,
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
  Registry,
} from "prom-client";

// Latency buckets in seconds: RPC round trips on a LAN are milliseconds; builds and slow calls run to minutes.
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180];
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Instance actions are timed from their rows, in Nova's whole-second DATETIMEs: builds take seconds to hours.
const ACTION_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
// A repository method is one to a few round trips to the database, a claim a short transaction.
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A service row as the heartbeat-age gauge reads it. */
export interface HeartbeatSample {
  /** The service's binary (`nova-compute`, ...). */
  binary: string;
  /** Its host. */
  host: string;
  /** When the conductor last recorded a report (ms since the epoch), null before the first. */
  lastSeenUp: number | null;
}

/**
 * The counts of one RPC series (a kind, topic and method, or a topic and lane) kept in plain fields on the hot
 * path and folded into the prom-client metrics when they are read (a scrape, `text()`): prom-client hashes the
 * label values on every `inc`, which cost more per call than the rest of the bookkeeping.
 */
export class RpcSeries<L extends string> {
  /** Requests counted since the last read. */
  requests = 0;
  /** Requests in flight now. */
  inFlight = 0;

  /** The prom-client label values of this series, built once. */
  readonly labels: Readonly<Record<L, string>>;

  /** One series with its label values. */
  constructor(labels: Readonly<Record<L, string>>) {
    this.labels = labels;
  }
}

/**
 * The observations of one label set of an RPC histogram, counted in plain fields on the hot path: prom-client's
 * `observe` hashes the label values every time, and an RPC observes two durations per call.
 */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last counts those above the largest bound. */
  private readonly counts: number[];
  /** The sum of the observations. */
  sum = 0;
  /** How many observations. */
  count = 0;

  /** One series with its label values, over the histogram's ascending bucket bounds. */
  constructor(
    /** The series' label values. */
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Counts one observation in its bucket (`le`: the first bound not below it). */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }

  /**
   * prom-client's samples of this series: cumulative buckets, `+Inf`, `_sum` and `_count`, shaped as its own
   * (`le` apart from the series' labels), so the registry writes both alike.
   */
  samples(name: string): HistogramSample[] {
    const out: HistogramSample[] = [];
    const sharedLabels = this.labels;
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i]!;
      out.push({
        labels: { le: this.bounds[i]! },
        sharedLabels,
        value: cumulative,
        metricName: `${name}_bucket`,
      });
    }
    out.push(
      { labels: { le: "+Inf" }, sharedLabels, value: this.count, metricName: `${name}_bucket` },
      { labels: {}, sharedLabels, value: this.sum, metricName: `${name}_sum` },
      { labels: {}, sharedLabels, value: this.count, metricName: `${name}_count` },
    );
    return out;
  }

  /** Forgets every observation (the registry's reset). */
  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** One sample as prom-client's histogram hands it to the registry. */
interface HistogramSample {
  labels: Record<string, string | number>;
  sharedLabels: Readonly<Record<string, string>>;
  value: number;
  metricName: string;
}

/**
 * A prom-client histogram that also reads the `HistogramSeries` its users hold: they observe on the series
 * (no hashing per observation), and the registry's text and JSON show them as prom-client's own series. A label
 * set is observed one way only, through its series or through `observe`, never both.
 */
export class SeriesHistogram<L extends string> extends Histogram<L> {
  private readonly series = new Map<string, HistogramSeries>();
  private readonly bounds: number[];
  private readonly metricName: string;

  /** A prom-client histogram of `config` (its buckets given explicitly: the series count on them). */
  constructor(config: HistogramConfiguration<L> & { buckets: number[] }) {
    super(config);
    this.metricName = config.name;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** The series of one label set, made on its first use. */
  seriesFor(key: string, labels: () => LabelValues<L>): HistogramSeries {
    let s = this.series.get(key);
    if (!s) {
      s = new HistogramSeries(labels() as Record<string, string>, this.bounds);
      this.series.set(key, s);
    }
    return s;
  }

  /**
   * What prom-client holds, and the series. The registry's text reads `getForPromString` when a metric has it,
   * and prom-client's `get` (JSON) reads it too: the series are added here, once.
   */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram<L>["get"]>>> {
    const base = Histogram.prototype as unknown as {
      getForPromString: () => ReturnType<Histogram<L>["get"]>;
    };
    return this.withSeries(await base.getForPromString.call(this));
  }

  /** Forgets every observation, the series' too. */
  override reset(): void {
    super.reset();
    // prom-client's constructor resets too, before this class's fields exist.
    if (this.series) for (const s of this.series.values()) s.clear();
  }

  private withSeries<T extends { values: unknown[] }>(data: T): T {
    for (const s of this.series.values()) if (s.count > 0) data.values.push(...s.samples(this.metricName));
    return data;
  }
}

/** A cache of series by a key of their label values; `fold` runs when the metrics are read. */
class SeriesMap<L extends string> {
  private readonly byKey = new Map<string, RpcSeries<L>>();

  get(key: string, labels: () => Record<L, string>): RpcSeries<L> {
    let series = this.byKey.get(key);
    if (!series) {
      series = new RpcSeries(labels());
      this.byKey.set(key, series);
    }
    return series;
  }

  foldRequests(counter: Counter<L>): void {
    for (const s of this.byKey.values()) {
      if (s.requests === 0) continue;
      counter.inc(s.labels, s.requests);
      s.requests = 0;
    }
  }

  foldInFlight(gauge: Gauge<L>): void {
    for (const s of this.byKey.values()) gauge.set(s.labels, s.inFlight);
  }
}

/**
 * The Prometheus metrics of one process (its own registry, never prom-client's global one), named as Prometheus
 * says: `nova_` prefix, base units (`_seconds`), `_total` counters, and labels from bounded sets only (topic,
 * method, route pattern, error class: never an instance id or a request id).
 */
export class NovaMetrics {
  /** The registry `/metrics` serves. */
  readonly registry: Registry;

  /** RPC requests sent, by kind (call, cast, fanout), topic and method. */
  readonly rpcClientRequests: Counter<"kind" | "topic" | "method">;
  /** RPC requests sent that failed, by error class (MessagingTimeout, RemoteError, a remote exception). */
  readonly rpcClientErrors: Counter<"kind" | "topic" | "method" | "error">;
  /** Calls that got no reply in time. */
  readonly rpcClientTimeouts: Counter<"topic" | "method">;
  /** From publishing a call to its reply (the reply wait included). */
  readonly rpcCallDuration: SeriesHistogram<"topic" | "method">;
  /** From publishing a cast or fanout to the broker's confirm. */
  readonly rpcCastDuration: SeriesHistogram<"kind" | "topic" | "method">;
  /** Requests sent and not yet answered (calls) or confirmed (casts). */
  readonly rpcClientInFlight: Gauge<"kind" | "topic" | "method">;
  /** RPC requests a server ran, by kind, topic and method. */
  readonly rpcServerRequests: Counter<"kind" | "topic" | "method">;
  /** Endpoint methods that raised, by error class. */
  readonly rpcServerErrors: Counter<"topic" | "method" | "error">;
  /** Time an endpoint method ran. */
  readonly rpcServerDuration: SeriesHistogram<"topic" | "method">;
  /** Requests running in a server now, by topic and lane. */
  readonly rpcServerInFlight: Gauge<"topic" | "lane">;
  /** Messages dropped unhandled (malformed, redelivered, replies nobody waits for). */
  readonly rpcMessagesDropped: Counter<"reason">;
  /** Broker connection state changes (`state="connected"` after the first is a reconnect). */
  readonly brokerConnectionEvents: Counter<"state">;
  /** 1 while the broker connection is up. */
  readonly brokerConnected: Gauge;
  /** Messages held while the broker is unreachable. */
  readonly rpcBufferedMessages: Gauge;

  /** API requests answered, by HTTP method, route pattern, status and microversion. */
  readonly apiRequests: Counter<"method" | "route" | "status" | "microversion">;
  /** Time to answer an API request. */
  readonly apiRequestDuration: Histogram<"method" | "route">;

  /** Time a select_destinations decision took, claims included, by outcome. */
  readonly schedulerDecisionDuration: Histogram<"outcome">;
  /** Requests refused with NoValidHost, by reason (the step that emptied the list, or why else). */
  readonly schedulerNoValidHost: Counter<"reason">;
  /** Hosts that entered and left each filtering step, summed over decisions. */
  readonly schedulerFilterHostsIn: Counter<"filter">;
  /** Hosts that left each filtering step (passed it), summed over decisions. */
  readonly schedulerFilterHostsOut: Counter<"filter">;

  /** Time of each instance action event (a stage: schedule, claim and spawn, ...), by action, event, result. */
  readonly instanceActionStageDuration: Histogram<"action" | "event" | "result">;
  /** From an action's start (its API request) to the end of each of its events: the last one is the action's time. */
  readonly instanceActionDuration: Histogram<"action" | "event" | "result">;
  /** Builds and moves sent to an alternate host after a failure. */
  readonly instanceReschedules: Counter<"operation">;
  /** Instance faults recorded, by the failure's class and the fault's code. */
  readonly instanceFaults: Counter<"error" | "code">;
  /** Seconds since each service's last recorded heartbeat (read from the services table at scrape time). */
  readonly serviceHeartbeatAge: Gauge<"binary" | "host">;
  /** Services recorded down by the conductor's check, or up again by their next report. */
  readonly serviceLivenessTransitions: Counter<"binary" | "host" | "state">;
  /** Time of each database repository method (`instances.list`), retries and pool waits included. */
  readonly dbQueryDuration: Histogram<"method">;
  /** Repository methods that failed, by error class. */
  readonly dbQueryErrors: Counter<"method" | "error">;
  /** Connections checked out of each MariaDB pool (`api`, `cell`, `cell0`). */
  readonly dbPoolConnectionsInUse: Gauge<"database">;

  private readonly heartbeatSources: Array<{
    read: () => Promise<readonly HeartbeatSample[]>;
    clock: Pick<Clock, "now">;
  }> = [];

  private readonly clientSeries = new SeriesMap<"kind" | "topic" | "method">();
  private readonly serverSeries = new SeriesMap<"kind" | "topic" | "method">();
  private readonly laneSeries = new SeriesMap<"topic" | "lane">();

  /**
   * The series of requests this process sends (`nova_rpc_client_requests_total`, `nova_rpc_client_in_flight`):
   * bump `requests` and `inFlight` on it instead of calling the prom-client metrics.
   */
  rpcClientSeries(kind: string, topic: string, method: string): RpcSeries<"kind" | "topic" | "method"> {
    return this.clientSeries.get(`${kind}\0${topic}\0${method}`, () => ({ kind, topic, method }));
  }

  /** The series of requests this process's servers run (`nova_rpc_server_requests_total`). */
  rpcServerSeries(kind: string, topic: string, method: string): RpcSeries<"kind" | "topic" | "method"> {
    return this.serverSeries.get(`${kind}\0${topic}\0${method}`, () => ({ kind, topic, method }));
  }

  /** The requests running in a server lane (`nova_rpc_server_in_flight`; use `inFlight` only). */
  rpcLaneSeries(topic: string, lane: string): RpcSeries<"topic" | "lane"> {
    return this.laneSeries.get(`${topic}\0${lane}`, () => ({ topic, lane }));
  }

  /** Every metric on a fresh registry whose samples carry `service` (the binary, `nova` in the all-in-one). */
  constructor(service: string) {
    const registry = new Registry();
    registry.setDefaultLabels({ service });
    this.registry = registry;
    const registers = [registry];
    const clientSeries = this.clientSeries;
    const serverSeries = this.serverSeries;
    const laneSeries = this.laneSeries;
    this.rpcClientRequests = new Counter({
      name: "nova_rpc_client_requests_total",
      help: "RPC calls, casts and fanouts sent",
      labelNames: ["kind", "topic", "method"],
      registers,
      collect() {
        clientSeries.foldRequests(this);
      },
    });
    this.rpcClientErrors = new Counter({
      name: "nova_rpc_client_errors_total",
      help: "RPC requests sent that failed, by error class",
      labelNames: ["kind", "topic", "method", "error"],
      registers,
    });
    this.rpcClientTimeouts = new Counter({
      name: "nova_rpc_client_timeouts_total",
      help: "RPC calls that got no reply in time",
      labelNames: ["topic", "method"],
      registers,
    });
    this.rpcCallDuration = new SeriesHistogram({
      name: "nova_rpc_call_duration_seconds",
      help: "RPC call latency, from publish to reply",
      labelNames: ["topic", "method"],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.rpcCastDuration = new SeriesHistogram({
      name: "nova_rpc_cast_duration_seconds",
      help: "RPC cast and fanout latency, from publish to the broker's confirm",
      labelNames: ["kind", "topic", "method"],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.rpcClientInFlight = new Gauge({
      name: "nova_rpc_client_in_flight",
      help: "RPC requests sent and not yet answered or confirmed",
      labelNames: ["kind", "topic", "method"],
      registers,
      collect() {
        clientSeries.foldInFlight(this);
      },
    });
    this.rpcServerRequests = new Counter({
      name: "nova_rpc_server_requests_total",
      help: "RPC requests run by this process's servers",
      labelNames: ["kind", "topic", "method"],
      registers,
      collect() {
        serverSeries.foldRequests(this);
      },
    });
    this.rpcServerErrors = new Counter({
      name: "nova_rpc_server_errors_total",
      help: "RPC endpoint methods that raised, by error class",
      labelNames: ["topic", "method", "error"],
      registers,
    });
    this.rpcServerDuration = new SeriesHistogram({
      name: "nova_rpc_server_duration_seconds",
      help: "Time an RPC endpoint method ran",
      labelNames: ["topic", "method"],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.rpcServerInFlight = new Gauge({
      name: "nova_rpc_server_in_flight",
      help: "RPC requests running in this process's servers",
      labelNames: ["topic", "lane"],
      registers,
      collect() {
        laneSeries.foldInFlight(this);
      },
    });
    this.rpcMessagesDropped = new Counter({
      name: "nova_rpc_messages_dropped_total",
      help: "Messages dropped unhandled: malformed, redelivered, or replies nobody waits for",
      labelNames: ["reason"],
      registers,
    });
    this.brokerConnectionEvents = new Counter({
      name: "nova_rpc_broker_connection_events_total",
      help: "Broker connection state changes (connected after the first one is a reconnect)",
      labelNames: ["state"],
      registers,
    });
    this.brokerConnected = new Gauge({
      name: "nova_rpc_broker_connected",
      help: "1 while the broker connection is up",
      registers,
    });
    this.rpcBufferedMessages = new Gauge({
      name: "nova_rpc_buffered_messages",
      help: "Messages held while the broker is unreachable",
      registers,
    });
    this.apiRequests = new Counter({
      name: "nova_api_requests_total",
      help: "Compute API requests answered",
      labelNames: ["method", "route", "status", "microversion"],
      registers,
    });
    this.apiRequestDuration = new Histogram({
      name: "nova_api_request_duration_seconds",
      help: "Compute API request latency",
      labelNames: ["method", "route"],
      buckets: API_BUCKETS,
      registers,
    });
    this.schedulerDecisionDuration = new Histogram({
      name: "nova_scheduler_decision_duration_seconds",
      help: "Time a select_destinations decision took, claims included",
      labelNames: ["outcome"],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.schedulerNoValidHost = new Counter({
      name: "nova_scheduler_no_valid_host_total",
      help: "Requests refused with NoValidHost, by the step that emptied the host list",
      labelNames: ["reason"],
      registers,
    });
    this.schedulerFilterHostsIn = new Counter({
      name: "nova_scheduler_filter_hosts_in_total",
      help: "Hosts that entered each filtering step",
      labelNames: ["filter"],
      registers,
    });
    this.schedulerFilterHostsOut = new Counter({
      name: "nova_scheduler_filter_hosts_out_total",
      help: "Hosts that passed each filtering step",
      labelNames: ["filter"],
      registers,
    });
    this.instanceActionStageDuration = new Histogram({
      name: "nova_instance_action_stage_duration_seconds",
      help: "Time of each instance action event (a stage of the action), from its start to its finish",
      labelNames: ["action", "event", "result"],
      buckets: ACTION_BUCKETS,
      registers,
    });
    this.instanceActionDuration = new Histogram({
      name: "nova_instance_action_duration_seconds",
      help: "Time from an instance action's start to the finish of each of its events",
      labelNames: ["action", "event", "result"],
      buckets: ACTION_BUCKETS,
      registers,
    });
    this.instanceReschedules = new Counter({
      name: "nova_instance_reschedules_total",
      help: "Builds and moves sent to an alternate host after a host failed them",
      labelNames: ["operation"],
      registers,
    });
    this.instanceFaults = new Counter({
      name: "nova_instance_faults_total",
      help: "Instance faults recorded, by the failure's class and the fault's code",
      labelNames: ["error", "code"],
      registers,
    });
    const sources = this.heartbeatSources;
    this.serviceHeartbeatAge = new Gauge({
      name: "nova_service_heartbeat_age_seconds",
      help: "Seconds since each service's last recorded heartbeat",
      labelNames: ["binary", "host"],
      registers,
      async collect() {
        if (sources.length === 0) return;
        const read = await Promise.all(
          sources.map(async ({ read, clock }) => ({ samples: await read(), now: clock.now() })),
        );
        // Rebuilt at each scrape, so a deleted service leaves the gauge.
        this.reset();
        for (const { samples, now } of read) {
          for (const s of samples) {
            if (s.lastSeenUp !== null)
              this.set({ binary: s.binary, host: s.host }, (now - s.lastSeenUp) / 1000);
          }
        }
      },
    });
    this.serviceLivenessTransitions = new Counter({
      name: "nova_service_liveness_transitions_total",
      help: "Services recorded down by the conductor's check, or up again by their next report",
      labelNames: ["binary", "host", "state"],
      registers,
    });
    this.dbQueryDuration = new Histogram({
      name: "nova_db_query_duration_seconds",
      help: "Time of each database repository method, retries and waits for a pooled connection included",
      // `cell` only on nova-api's per-cell pools (CellConnections): a service's own databases leave it out.
      labelNames: ["method", "cell"],
      buckets: DB_BUCKETS,
      registers,
    });
    this.dbQueryErrors = new Counter({
      name: "nova_db_query_errors_total",
      help: "Database repository methods that failed, by error class",
      labelNames: ["method", "error", "cell"],
      registers,
    });
    this.dbPoolConnectionsInUse = new Gauge({
      name: "nova_db_pool_connections_in_use",
      help: "Connections checked out of each MariaDB pool",
      labelNames: ["database", "cell"],
      registers,
    });
  }

  /**
   * Reads the services' last heartbeats at each scrape (the conductor passes its services table): the age
   * is the database's truth, whichever conductor recorded the report; `clock` is the one the reports were
   * stamped with.
   */
  watchHeartbeats(
    read: () => Promise<readonly HeartbeatSample[]>,
    clock: Pick<Clock, "now"> = systemClock,
  ): void {
    this.heartbeatSources.push({ read, clock });
  }

  /** The text exposition format of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A bounded label for an error: its class name (a remote exception's own class when rebuilt typed). */
export function errorLabel(err: unknown): string {
  if (err instanceof Error) return err.name === "Error" ? err.constructor.name : err.name;
  return typeof err;
}
