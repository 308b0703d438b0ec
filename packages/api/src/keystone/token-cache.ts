import { createHash } from "node:crypto";

/**
 * Validated tokens, keyed by the token's SHA-256 (the cache never holds a usable token), each kept until its own
 * deadline and at most `maxEntries` of them: reading an entry makes it the most recently used, and adding one to
 * a full cache drops the least recently used. A Map keeps insertion order, which is the LRU order here.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The value cached for `token`, unless there is none or its deadline (ms since the epoch) is past at `now`. */
  get(token: string, now: number): V | undefined {
    const key = cacheKey(token);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Caches `value` for `token` until `expiresAt` (ms since the epoch); a deadline already past caches nothing. */
  set(token: string, value: V, expiresAt: number, now: number): void {
    const key = cacheKey(token);
    this.entries.delete(key);
    if (expiresAt <= now || this.maxEntries === 0) return;
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt });
  }

  /** Forgets `token` (a validation that no longer holds). */
  delete(token: string): void {
    this.entries.delete(cacheKey(token));
  }

  /** How many entries are held (expired ones included until read or pushed out). */
  get size(): number {
    return this.entries.size;
  }
}

function cacheKey(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
