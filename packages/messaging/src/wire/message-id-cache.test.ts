import { describe, expect, it } from "vitest";
import { MessageIdCache } from "./message-id-cache.js";

describe("MessageIdCache", () => {
  it("reports duplicates within the window and forgets the oldest beyond it", () => {
    const cache = new MessageIdCache(3);
    expect(["a", "b", "c"].map((id) => cache.add(id))).toEqual([true, true, true]);
    expect(cache.add("b")).toBe(false);
    expect(cache.add("d")).toBe(true); // evicts "a"
    expect(cache.add("a")).toBe(true); // evicts "b"
    expect(cache.add("c")).toBe(false);
    expect(cache.add("b")).toBe(true);
  });

  it("lets a forgotten id through again", () => {
    const cache = new MessageIdCache(4);
    cache.add("x");
    cache.forget("x");
    expect(cache.add("x")).toBe(true);
  });
});
