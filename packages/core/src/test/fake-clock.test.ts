import { describe, expect, it } from "vitest";
import { FakeClock } from "./fake-clock.js";

describe("FakeClock", () => {
  it("fires due timers in order, and timers set by the async work they start", async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimer(20, () => fired.push("b"));
    clock.setTimer(10, () => fired.push("a"));
    const cancelled = clock.setTimer(15, () => fired.push("never"));
    cancelled.cancel();
    await clock.advance(25);
    expect(fired).toEqual(["a", "b"]);
    expect(clock.now()).toBe(25);
    const chained = (async () => {
      await clock.sleep(5);
      fired.push("c");
      await clock.sleep(5);
      fired.push("d");
    })();
    await clock.advance(10);
    await chained;
    expect(fired).toEqual(["a", "b", "c", "d"]);
    expect(clock.now()).toBe(35);
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects a sleep whose signal aborts", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(100, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pendingTimers).toBe(0);
  });

  it("whenPending resolves once the code under test has set enough timers", async () => {
    const clock = new FakeClock(0);
    let reached = false;
    const waiting = clock.whenPending(2).then(() => {
      reached = true;
    });
    clock.setTimer(10, () => {});
    await Promise.resolve();
    expect(reached).toBe(false);
    void (async () => {
      await new Promise<void>((r) => setImmediate(r)); // an I/O hop before the sleep
      await clock.sleep(5);
    })();
    await waiting;
    expect(clock.pendingTimers).toBe(2);
  });
});
