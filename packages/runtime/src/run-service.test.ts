import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { runUntilSignal } from "./run-service.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

describe("runUntilSignal", () => {
  it("starts in order, stops in reverse on SIGTERM, then cleans up", async () => {
    const signals = new EventEmitter();
    const log: string[] = [];
    const svc = (name: string) => ({
      name,
      start: async () => void log.push(`start ${name}`),
      stop: async () => void log.push(`stop ${name}`),
    });
    const done = runUntilSignal([svc("a"), svc("b")], quiet, async () => void log.push("cleanup"), {
      signals,
    });
    await vi.waitFor(() => expect(log).toEqual(["start a", "start b"]));
    signals.emit("SIGTERM");
    await done;
    expect(log).toEqual(["start a", "start b", "stop b", "stop a", "cleanup"]);
  });

  it("gives up on a drain longer than graceful_shutdown_timeout", async () => {
    vi.useFakeTimers();
    try {
      const signals = new EventEmitter();
      const timedOut = vi.fn();
      const stuck = { name: "stuck", start: async () => {}, stop: () => new Promise<void>(() => {}) };
      void runUntilSignal([stuck], quiet, undefined, {
        signals,
        gracefulShutdownTimeout: 60,
        onShutdownTimeout: timedOut,
      });
      await vi.advanceTimersByTimeAsync(0);
      signals.emit("SIGTERM");
      await vi.advanceTimersByTimeAsync(59_000);
      expect(timedOut).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(timedOut).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not call the timeout when the drain finishes in time", async () => {
    vi.useFakeTimers();
    try {
      const signals = new EventEmitter();
      const timedOut = vi.fn();
      const quick = { name: "quick", start: async () => {}, stop: async () => {} };
      const done = runUntilSignal([quick], quiet, undefined, {
        signals,
        gracefulShutdownTimeout: 1,
        onShutdownTimeout: timedOut,
      });
      await vi.advanceTimersByTimeAsync(0);
      signals.emit("SIGINT");
      await done;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(timedOut).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
