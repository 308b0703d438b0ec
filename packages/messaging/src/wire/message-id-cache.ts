/**
 * The last N `_unique_id`s seen, to drop redeliveries (oslo keeps 16; a larger window costs little and also
 * covers what a broker restart redelivers under load).
 */
export class MessageIdCache {
  private readonly ids = new Set<string>();

  constructor(private readonly size: number = 16) {}

  /** Records the id; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.size) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return true;
  }

  /** Removes an id (a message handed back for redelivery is not a duplicate). */
  forget(id: string): void {
    this.ids.delete(id);
  }
}
