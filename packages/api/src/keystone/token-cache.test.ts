import { describe, expect, it } from "vitest";
import { TokenCache } from "./token-cache.js";

describe("TokenCache", () => {
  it("returns a value until its deadline and not at or after it", () => {
    const cache = new TokenCache<string>(10);
    cache.set("tok", "alice", 1_000, 0);
    expect(cache.get("tok", 999)).toBe("alice");
    expect(cache.get("tok", 1_000)).toBeUndefined();
    // An expired entry is dropped when read.
    expect(cache.size).toBe(0);
  });

  it("drops the least recently used entry when full, reads counting as use", () => {
    const cache = new TokenCache<number>(2);
    cache.set("a", 1, 10_000, 0);
    cache.set("b", 2, 10_000, 0);
    expect(cache.get("a", 1)).toBe(1); // a is now more recent than b
    cache.set("c", 3, 10_000, 2);
    expect(cache.size).toBe(2);
    expect(cache.get("b", 3)).toBeUndefined();
    expect(cache.get("a", 3)).toBe(1);
    expect(cache.get("c", 3)).toBe(3);
  });

  it("caches nothing with a deadline already past or a size of 0", () => {
    const cache = new TokenCache<string>(5);
    cache.set("tok", "x", 100, 100);
    expect(cache.get("tok", 50)).toBeUndefined();
    const none = new TokenCache<string>(0);
    none.set("tok", "x", 1_000, 0);
    expect(none.get("tok", 1)).toBeUndefined();
  });

  it("replaces an entry set twice and forgets a deleted one", () => {
    const cache = new TokenCache<string>(5);
    cache.set("tok", "old", 1_000, 0);
    cache.set("tok", "new", 1_000, 0);
    expect(cache.size).toBe(1);
    expect(cache.get("tok", 1)).toBe("new");
    cache.delete("tok");
    expect(cache.get("tok", 1)).toBeUndefined();
  });

  it("keys entries by the token's hash, not the token", () => {
    const cache = new TokenCache<string>(5);
    const token = "gAAAAABsecret-token";
    cache.set(token, "alice", 1_000, 0);
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain("secret");
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
