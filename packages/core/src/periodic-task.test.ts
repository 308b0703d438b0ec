import { describe, expect, it } from "vitest";
import { silentLogger } from "./logger.js";
import { PeriodicTask, type PeriodicTaskOptions } from "./periodic-task.js";
import { FakeClock, MemoryLogger } from "./test/index.js";

/** A task that records when each run starts, on a fake clock at 0. */
function recordingStarts(options: PeriodicTaskOptions) {
  const clock = new FakeClock(0);
  const starts: number[] = [];
  const task = new PeriodicTask(options, () => void starts.push(clock.now()), clock, silentLogger);
  return { clock, starts, task };
}

describe("PeriodicTask", () => {
  it("runs start to start every spacing, first run one spacing after start", async () => {
    const { clock, starts, task } = recordingStarts({ name: "t", spacingMs: 1000 });
    task.start();
    await clock.advance(3500);
    expect(starts).toEqual([1000, 2000, 3000]);
    await task.stop();
    await clock.advance(5000);
    expect(starts).toHaveLength(3);
  });

  it("runs at once with runImmediately and adds the fuzzy delay to the first run only", async () => {
    const { clock, starts, task } = recordingStarts({
      name: "t",
      spacingMs: 1000,
      runImmediately: true,
      fuzzyDelayMs: 400,
      random: () => 0.5,
    });
    task.start();
    await clock.advance(2300);
    expect(starts).toEqual([200, 1200, 2200]);
    await task.stop();
  });

  it("never overlaps: a run longer than the spacing delays the next, which starts when it ends", async () => {
    const clock = new FakeClock(0);
    const starts: number[] = [];
    let active = 0;
    let maxActive = 0;
    const task = new PeriodicTask(
      { name: "slow", spacingMs: 1000 },
      async () => {
        starts.push(clock.now());
        active++;
        maxActive = Math.max(maxActive, active);
        await clock.sleep(2500);
        active--;
      },
      clock,
      silentLogger,
    );
    task.start();
    await clock.advance(7000);
    expect(maxActive).toBe(1);
    expect(starts).toEqual([1000, 3500, 6000]);
    const stopping = task.stop();
    await clock.advance(2500);
    await stopping;
  });

  it("logs a failed run and still schedules the next", async () => {
    const clock = new FakeClock(0);
    const logger = new MemoryLogger();
    let runs = 0;
    const task = new PeriodicTask(
      { name: "flaky", spacingMs: 100 },
      () => {
        runs++;
        throw new Error("boom");
      },
      clock,
      logger,
    );
    task.start();
    await clock.advance(350);
    expect(runs).toBe(3);
    expect(logger.records.filter((r) => r.level === "warn")).toHaveLength(3);
    expect(logger.records[0]?.fields).toMatchObject({ task: "flaky", err: "boom" });
    await task.stop();
  });

  it("stop waits for the run under way", async () => {
    const clock = new FakeClock(0);
    let release!: () => void;
    let finished = false;
    const task = new PeriodicTask(
      { name: "t", spacingMs: 10 },
      async () => {
        await new Promise<void>((r) => {
          release = r;
        });
        finished = true;
      },
      clock,
      silentLogger,
    );
    task.start();
    await clock.advance(10);
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await clock.runDue();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
  });

  it("starts a run within the timer's callback, and handles a synchronous throw as a failed run", async () => {
    // A clock whose timers are fired by hand, synchronously (as a manual test clock does).
    const due: Array<() => void> = [];
    const manual = {
      now: () => 0,
      setTimer: (_ms: number, fn: () => void) => {
        due.push(fn);
        return { cancel: () => {} };
      },
      sleep: () => Promise.resolve(),
    };
    const logger = new MemoryLogger();
    let runs = 0;
    const task = new PeriodicTask(
      { name: "sync", spacingMs: 1000 },
      () => {
        runs++;
        throw new Error("boom");
      },
      manual,
      logger,
    );
    task.start();
    due.shift()?.();
    expect(runs).toBe(1);
    await task.stop();
    expect(logger.records.map((r) => r.message)).toEqual(["periodic task failed"]);
  });

  it("a null, zero or negative spacing disables the task", async () => {
    const clock = new FakeClock(0);
    for (const spacingMs of [null, 0, -1]) {
      let runs = 0;
      const task = new PeriodicTask({ name: "off", spacingMs }, () => void runs++, clock, silentLogger);
      expect(task.enabled).toBe(false);
      task.start();
      await clock.advance(10_000);
      expect(runs).toBe(0);
    }
  });
  it("starts after an exact initialDelayMs, then keeps the spacing", async () => {
    const { clock, starts, task } = recordingStarts({
      name: "staggered",
      spacingMs: 1000,
      runImmediately: true,
      initialDelayMs: 250,
    });
    task.start();
    await clock.advance(2300);
    expect(starts).toEqual([250, 1250, 2250]);
    await task.stop();
  });

  it("trigger brings the next run forward and the spacing restarts from it", async () => {
    const { clock, starts, task } = recordingStarts({ name: "t", spacingMs: 1000 });
    task.trigger(); // not started: nothing
    await clock.advance(0);
    expect(starts).toEqual([]);
    task.start();
    await clock.advance(1400);
    task.trigger();
    await clock.advance(1100);
    expect(starts).toEqual([1000, 1400, 2400]);
    await task.stop();
  });
});
