import { describe, expect, it } from "vitest";
import { ReadCoalescer } from "./read-coalescer.js";

/** A load the test settles by hand, counting how often it started. */
function manualLoads() {
  const started: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  const load = () =>
    new Promise<number>((resolve, reject) => {
      started.push({ resolve, reject });
    });
  return { started, load };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("ReadCoalescer", () => {
  it("runs one load for a lone caller and forgets the key afterwards", async () => {
    const c = new ReadCoalescer();
    const { started, load } = manualLoads();
    const a = c.read("k", load);
    await tick();
    expect(started).toHaveLength(1);
    started[0]!.resolve(7);
    expect(await a).toBe(7);
    await tick();
    expect(c.pending).toBe(0);
  });

  it("gives callers arriving during a load one shared next load, never the running one's result", async () => {
    const c = new ReadCoalescer();
    const { started, load } = manualLoads();
    const first = c.read("k", load);
    await tick();
    const late = [c.read("k", load), c.read("k", load), c.read("k", load)];
    await tick();
    expect(started).toHaveLength(1); // the late ones wait for the running load to settle
    started[0]!.resolve(1);
    expect(await first).toBe(1);
    await tick();
    expect(started).toHaveLength(2); // one load for all three late callers
    started[1]!.resolve(2);
    expect(await Promise.all(late)).toEqual([2, 2, 2]);
  });

  it("keeps keys apart", async () => {
    const c = new ReadCoalescer();
    const { started, load } = manualLoads();
    const a = c.read("a", load);
    const b = c.read("b", load);
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.resolve(20);
    started[0]!.resolve(10);
    expect([await a, await b]).toEqual([10, 20]);
  });

  it("rejects only the callers of the failed load, and the next load still runs", async () => {
    const c = new ReadCoalescer();
    const { started, load } = manualLoads();
    const first = c.read("k", load);
    await tick();
    const late = c.read("k", load);
    started[0]!.reject(new Error("db down"));
    await expect(first).rejects.toThrow("db down");
    await tick();
    expect(started).toHaveLength(2);
    started[1]!.resolve(3);
    expect(await late).toBe(3);
  });

  it("turns a load that throws synchronously into a rejection", async () => {
    const c = new ReadCoalescer();
    await expect(
      c.read("k", () => {
        throw new Error("bad");
      }),
    ).rejects.toThrow("bad");
    await tick();
    expect(c.pending).toBe(0);
  });
});
