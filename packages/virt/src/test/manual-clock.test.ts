import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.js";

describe("ManualClock", () => {
  it("wakes sleeps in deadline order as time advances", async () => {
    const clock = new ManualClock(100);
    const woke: string[] = [];
    void clock.sleep(30).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(10).then(() => woke.push(`a@${clock.now()}`));
    await clock.whenSleeping(2);
    await clock.advance(20);
    expect(woke).toEqual(["a@110"]);
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(20);
    expect(woke).toEqual(["a@110", "b@130"]);
    expect(clock.now()).toBe(140);
  });

  it("wakes a sleep started by a woken sleeper within the same advance", async () => {
    const clock = new ManualClock();
    const woke: number[] = [];
    void (async () => {
      await clock.sleep(5);
      woke.push(clock.now());
      await clock.sleep(5);
      woke.push(clock.now());
    })();
    await clock.whenSleeping();
    await clock.advance(12);
    expect(woke).toEqual([5, 10]);
  });
});
