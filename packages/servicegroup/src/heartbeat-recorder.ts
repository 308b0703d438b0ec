import type { Clock, Logger, TimerHandle } from "@nova/core";
import { ServiceNotFoundError } from "./errors.js";
import type { HeartbeatReport, HeartbeatStore } from "./heartbeat-store.js";
import type { LivenessObserver } from "./liveness-observer.js";
import type { ServiceNotifier } from "./service-notifier.js";
import { serviceKeyId } from "./service-record.js";

/** What the conductor replies to a report: the timestamps it recorded (Nova returns them as updates). */
export interface RecordedHeartbeat {
  /** When the service was last seen up, in milliseconds since the epoch. */
  lastSeenUp: number;
  /** The row's `updated_at`, in milliseconds since the epoch. */
  updatedAt: number;
}

/** Options of a {@link HeartbeatRecorder}. */
export interface HeartbeatRecorderOptions {
  /** Where reports are written. */
  store: HeartbeatStore;
  /** The clock that stamps each write and times the batch window. */
  clock: Clock;
  /** Where failed writes and revived services are logged. */
  logger: Logger;
  /** Told when a service recorded down reports again (`service.update`, up). */
  notifier?: ServiceNotifier;
  /** Told of each service recorded down that reports again (metrics). */
  observer?: LivenessObserver;
  /** How long a report may wait for others to share its write (ms). Nova writes each report on its own. */
  batchWindowMs?: number;
  /** A batch this large is written at once, without waiting for the window. */
  maxBatch?: number;
  /**
   * Batch writes allowed in flight at once. Reports that come while every write slot is busy wait for the
   * next free one and share it, so a slow database gets fewer, larger writes instead of a pile-up.
   */
  maxConcurrentWrites?: number;
}

interface Pending {
  report: HeartbeatReport;
  waiters: Array<{ resolve: (r: RecordedHeartbeat) => void; reject: (e: unknown) => void }>;
}

/**
 * The conductor's side of the db driver: records each report in the services table and answers it.
 * Reports arriving within a short window share one write, so 10,000 computes reporting every 10 s cost the
 * database tens of writes a second instead of a thousand. A report is answered only once its write is done.
 */
export class HeartbeatRecorder {
  private pending = new Map<string, Pending>();
  private timer: TimerHandle | undefined;
  /** The pending reports have waited their window: write them as soon as a write slot is free. */
  private due = false;
  private readonly writing = new Set<Promise<void>>();
  private readonly batchWindowMs: number;
  private readonly maxBatch: number;
  private readonly maxConcurrentWrites: number;
  /** Writes issued and reports recorded, for the benchmark and the logs. */
  readonly counters = { writes: 0, reports: 0, notFound: 0, failedWrites: 0 };

  /** Builds a recorder; the defaults are a 50 ms window, batches of 500 and 4 writes at once. */
  constructor(private readonly opts: HeartbeatRecorderOptions) {
    this.batchWindowMs = opts.batchWindowMs ?? 50;
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxConcurrentWrites = opts.maxConcurrentWrites ?? 4;
  }

  /** Batch writes in flight now. */
  get writesInFlight(): number {
    return this.writing.size;
  }

  /** Records one report; rejects with ServiceNotFoundError when the service has no row. */
  record(report: HeartbeatReport): Promise<RecordedHeartbeat> {
    return new Promise((resolve, reject) => {
      const id = serviceKeyId(report);
      const existing = this.pending.get(id);
      if (existing) {
        // The same service twice in one window (a retry): one row update covers both.
        existing.report = {
          ...report,
          reportCount: Math.max(existing.report.reportCount, report.reportCount),
        };
        existing.waiters.push({ resolve, reject });
      } else {
        this.pending.set(id, { report, waiters: [{ resolve, reject }] });
      }
      if (this.pending.size >= this.maxBatch) {
        this.flushNow();
      } else if (!this.timer && !this.due) {
        this.timer = this.opts.clock.setTimer(this.batchWindowMs, () => this.flushNow());
      }
    });
  }

  /** Writes whatever is pending now and resolves when every write issued so far is done. */
  async flush(): Promise<void> {
    this.flushNow();
    while (this.writing.size > 0) {
      await Promise.all(this.writing);
      this.flushNow();
    }
  }

  private flushNow(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.due = this.pending.size > 0;
    while (this.pending.size > 0 && this.writing.size < this.maxConcurrentWrites) {
      const batch: Pending[] = [];
      for (const [id, p] of this.pending) {
        if (batch.length === this.maxBatch) break;
        batch.push(p);
        this.pending.delete(id);
      }
      const written: Promise<void> = this.write(batch)
        .catch((err: unknown) =>
          this.opts.logger.error({ err: String(err) }, "Could not finish recording service heartbeats"),
        )
        .finally(() => {
          this.writing.delete(written);
          // Reports that waited for a slot go now; fresh ones still wait for their window.
          if (this.due) this.flushNow();
        });
      this.writing.add(written);
    }
    if (this.pending.size === 0) this.due = false;
  }

  private async write(batch: Pending[]): Promise<void> {
    const { store, clock, logger, notifier, observer } = this.opts;
    const at = clock.now();
    let outcomes: Awaited<ReturnType<HeartbeatStore["recordHeartbeats"]>>;
    try {
      this.counters.writes++;
      outcomes = await store.recordHeartbeats(
        batch.map((p) => p.report),
        at,
      );
    } catch (err) {
      this.counters.failedWrites++;
      logger.error({ err: String(err), reports: batch.length }, "Could not record service heartbeats");
      for (const p of batch) for (const w of p.waiters) w.reject(err);
      return;
    }
    const revived: HeartbeatReport[] = [];
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome || outcome.status === "not_found") {
        this.counters.notFound++;
        const err = new ServiceNotFoundError(p.report.host, p.report.binary);
        for (const w of p.waiters) w.reject(err);
        return;
      }
      this.counters.reports++;
      if (outcome.wasDown) {
        revived.push(p.report);
        observer?.transition(p.report, "up");
      }
      for (const w of p.waiters) w.resolve({ lastSeenUp: outcome.lastSeenUp, updatedAt: outcome.updatedAt });
    });
    if (revived.length > 0 && notifier) {
      const byId = new Set(revived.map(serviceKeyId));
      const services = (await store.listServices()).filter((s) => byId.has(serviceKeyId(s)));
      for (const s of services) {
        logger.info({ host: s.host, binary: s.binary }, "Service is up again");
        await notifier.serviceUpdate(s, "up");
      }
    }
  }
}
