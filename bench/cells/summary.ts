// bench/cells: the options and the figures' arithmetic (no I/O), apart from run.ts so a test can check them.
import { parseArgs } from "node:util";

/** What one bench run does: which layouts, how many hosts, which offered rates, and when a layout saturates. */
export interface CellsBenchOptions {
  /** Simulated compute hosts, split evenly over the cells of each layout. */
  hosts: number;
  /** The layouts to measure, as cell counts (1 then 4 by default). */
  layouts: number[];
  /** Offered boot rates (boots/s), stepped up in order until the layout saturates. */
  rates: number[];
  /** Seconds each step offers its rate for (open loop: boots are posted whether or not earlier ones finished). */
  seconds: number;
  /** A step saturates the layout when its p95 time to ACTIVE exceeds this (seconds). */
  p95Bound: number;
  /** Seconds to wait after a step's last post for its boots to finish; the rest count as not finished. */
  drain: number;
  /** `[DEFAULT] report_interval` of every service (the computes' heartbeat period). */
  reportInterval: number;
  /** `[fake] spawn_delay`: seconds the fake driver takes to spawn a guest. */
  spawnDelay: number;
  /** Print every process's log tail at the end. */
  keepLogs: boolean;
  /**
   * Write every process's whole log here (`<cells>cell-<process>.log`, the farms' computes at info), to follow
   * one slow boot's request id across processes; undefined: only tails are kept.
   */
  logDir: string | undefined;
}

function numberList(flag: string, raw: string): number[] {
  const list = raw.split(",").map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error(`--${flag} must be a comma-separated list of positive numbers, got "${raw}"`);
  return list;
}

function positive(flag: string, raw: string, integer = false): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw new Error(`--${flag} must be a positive ${integer ? "integer" : "number"}, got "${raw}"`);
  return v;
}

/** Parses the command line; throws with the option's name on a bad value. */
export function parseCellsBenchArgs(argv: string[]): CellsBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: "string", default: "2000" },
      layouts: { type: "string", default: "1,4" },
      rates: { type: "string", default: "5,10,20,30,40,60,80" },
      rate: { type: "string" },
      seconds: { type: "string", default: "30" },
      "p95-bound": { type: "string", default: "5" },
      drain: { type: "string", default: "60" },
      "report-interval": { type: "string", default: "10" },
      "spawn-delay": { type: "string", default: "0" },
      "keep-logs": { type: "boolean", default: false },
      "log-dir": { type: "string" },
    },
    strict: true,
  });
  const layouts = numberList("layouts", values.layouts);
  if (layouts.some((n) => !Number.isInteger(n))) throw new Error("--layouts must be whole cell counts");
  const hosts = positive("hosts", values.hosts, true);
  if (layouts.some((n) => n > hosts)) throw new Error("--hosts must be at least the largest layout's cells");
  const spawnDelay = Number(values["spawn-delay"]);
  if (!Number.isFinite(spawnDelay) || spawnDelay < 0) throw new Error("--spawn-delay must be >= 0 seconds");
  return {
    hosts,
    layouts,
    // --rate R measures the one rate (no stepping).
    rates: values.rate !== undefined ? [positive("rate", values.rate)] : numberList("rates", values.rates),
    seconds: positive("seconds", values.seconds),
    p95Bound: positive("p95-bound", values["p95-bound"]),
    drain: positive("drain", values.drain),
    reportInterval: positive("report-interval", values["report-interval"], true),
    spawnDelay,
    keepLogs: values["keep-logs"],
    logDir: values["log-dir"] === "" ? undefined : values["log-dir"],
  };
}

/** How many of `hosts` each of `cells` cells gets: as even as can be, the first cells taking the remainder. */
export function splitHosts(hosts: number, cells: number): number[] {
  return Array.from({ length: cells }, (_, i) => Math.floor(hosts / cells) + (i < hosts % cells ? 1 : 0));
}

/** The nearest-rank percentile `p` (0-100) of `values` (need not be sorted); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One offered rate's outcome. */
export interface StepResult {
  /** Offered boots/s. */
  offered: number;
  /** Boots posted (POST /servers answered 202). */
  posted: number;
  /** Seconds from each ACTIVE boot's POST to the poll that first saw it ACTIVE. */
  timesToActive: number[];
  /** Boots that went to ERROR, and those neither ACTIVE nor ERROR by the end of the drain. */
  errors: number;
  unfinished: number;
  /** Seconds from the first POST to the last boot seen ACTIVE. */
  wallSeconds: number;
}

/** A step's figures: boots/s completed, p50/p95 to ACTIVE, and whether the layout kept up. */
export interface StepFigures {
  offered: number;
  completedPerSecond: number;
  p50: number;
  p95: number;
  /** Every posted boot went ACTIVE and the p95 is within the bound. */
  sustained: boolean;
}

/** The figures of one step, judged against the p95 bound. */
export function stepFigures(step: StepResult, p95Bound: number): StepFigures {
  const active = step.timesToActive.length;
  const p95 = percentile(step.timesToActive, 95);
  return {
    offered: step.offered,
    completedPerSecond: step.wallSeconds > 0 ? active / step.wallSeconds : 0,
    p50: percentile(step.timesToActive, 50),
    p95,
    sustained: active > 0 && step.errors === 0 && step.unfinished === 0 && p95 <= p95Bound,
  };
}

/** The highest sustained step of a layout (the steps in the order measured), or undefined if none was. */
export function sustainedStep(steps: readonly StepFigures[]): StepFigures | undefined {
  let best: StepFigures | undefined;
  for (const s of steps)
    if (s.sustained && (!best || s.completedPerSecond > best.completedPerSecond)) best = s;
  return best;
}

/**
 * How many times the boot rate of `base` the layout `other` sustains at the same p95 bound: the ratio of
 * their highest sustained steps' completed boots/s. Undefined when either sustained nothing. When `other`
 * sustained the highest rate offered it may go further: the ratio is then a lower bound (`atLeast`).
 */
export function scalingRatio(
  base: readonly StepFigures[],
  other: readonly StepFigures[],
): { ratio: number; atLeast: boolean } | undefined {
  const b = sustainedStep(base);
  const o = sustainedStep(other);
  if (!b || !o || b.completedPerSecond === 0) return undefined;
  const last = other.at(-1);
  return { ratio: o.completedPerSecond / b.completedPerSecond, atLeast: last === o };
}

/** Units per second between two counter readings taken `seconds` apart (0 when the counter did not move). */
export function ratePerSecond(before: number, after: number, seconds: number): number {
  return seconds > 0 ? Math.max(0, after - before) / seconds : 0;
}
