/**
 * The last N `_unique_id`s seen, to drop redeliveries (oslo keeps 16; a larger window costs little and also
 * covers what a broker restart redelivers under load). A ring buffer plus a set: O(1), no allocation per id.
 */
export class MessageIdCache {
  private readonly ids = new Set<string>();
  private readonly ring: Array<string | undefined>;
  private next = 0;

  /** Remembers the last `capacity` ids. */
  constructor(size = 16) {
    this.ring = new Array<string | undefined>(Math.max(1, size));
  }

  /** Records the id; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.ids.add(id);
    return true;
  }

  /** Removes an id (a message handed back for redelivery is not a duplicate). */
  forget(id: string): void {
    // The ring slot stays; evicting it later deletes nothing that matters.
    this.ids.delete(id);
  }
}
