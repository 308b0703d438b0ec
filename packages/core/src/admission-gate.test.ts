import { describe, expect, it } from "vitest";
import { AdmissionGate } from "./admission-gate.js";
import { FakeClock } from "./test/fake-clock.js";

/** Tasks the test finishes by hand, in the order they started. */
function manualTasks() {
  const started: Array<{ name: string; finish: () => void; fail: (e: Error) => void }> = [];
  const task = (name: string) => () =>
    new Promise<string>((resolve, reject) => {
      started.push({ name, finish: () => resolve(name), fail: reject });
    });
  return { started, task };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("AdmissionGate", () => {
  it("admits `limit` tasks and starts the others in arrival order as slots free", async () => {
    const gate = new AdmissionGate({ limit: 2 });
    const { started, task } = manualTasks();
    const results = ["a", "b", "c", "d"].map((n) => gate.run(task(n)));
    await tick();
    expect(started.map((s) => s.name)).toEqual(["a", "b"]);
    expect([gate.running, gate.waiting]).toEqual([2, 2]);
    started[1]!.finish();
    await tick();
    expect(started.map((s) => s.name)).toEqual(["a", "b", "c"]);
    started[0]!.fail(new Error("boom"));
    await expect(results[0]).rejects.toThrow("boom");
    await tick();
    expect(started.map((s) => s.name)).toEqual(["a", "b", "c", "d"]);
    started[2]!.finish();
    started[3]!.finish();
    expect(await Promise.all(results.slice(1))).toEqual(["b", "c", "d"]);
    expect([gate.running, gate.waiting]).toEqual([0, 0]);
  });

  it("never lets a late arrival take a slot ahead of a waiting task", async () => {
    const gate = new AdmissionGate({ limit: 1 });
    const { started, task } = manualTasks();
    void gate.run(task("first"));
    void gate.run(task("waiting"));
    await tick();
    started[0]!.finish();
    void gate.run(task("late"));
    await tick();
    expect(started.map((s) => s.name)).toEqual(["first", "waiting"]);
  });

  it("hands a slot on after the lease while the slow task goes on, and counts it once", async () => {
    const clock = new FakeClock();
    const gate = new AdmissionGate({ limit: 1, leaseMs: 1000, clock });
    const { started, task } = manualTasks();
    const slow = gate.run(task("slow"));
    const next = gate.run(task("next"));
    await tick();
    expect(started.map((s) => s.name)).toEqual(["slow"]);
    await clock.advance(999);
    expect(started.map((s) => s.name)).toEqual(["slow"]);
    await clock.advance(1);
    await tick();
    expect(started.map((s) => s.name)).toEqual(["slow", "next"]);
    // The slow task finishing later must not free a second slot.
    started[0]!.finish();
    await slow;
    expect(gate.running).toBe(1);
    started[1]!.finish();
    await next;
    expect(gate.running).toBe(0);
  });

  it("refuses a limit below one", () => {
    expect(() => new AdmissionGate({ limit: 0 })).toThrow(RangeError);
  });
});
