/**
 * Collapses identical concurrent reads into as few loads as possible without ever answering from the past:
 * a caller always gets the result of a load that started after it asked. The first caller of a key starts a
 * load; callers that arrive while it runs share one next load, started when the running one settles. Under
 * load, N identical requests in flight cost about two reads instead of N, and a reader still sees every
 * write that committed before its request arrived (unlike a cache with a time to live).
 *
 * Callers of one load share its result object: treat it as read-only.
 */
export class ReadCoalescer {
  private readonly slots = new Map<string, Slot>();

  /** The result of `load` (or of an identical one for the same `key`) started after this call. */
  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { running: undefined, queued: undefined };
      this.slots.set(key, slot);
    }
    const running = slot.running;
    if (running === undefined) return this.run(key, slot, load);
    if (slot.queued === undefined) {
      const s = slot;
      s.queued = running.then(settled, settled).then(() => {
        s.queued = undefined;
        return this.run(key, s, load);
      });
    }
    return slot.queued as Promise<T>;
  }

  /** Keys with a load running or queued (for tests and metrics). */
  get pending(): number {
    return this.slots.size;
  }

  private run<T>(key: string, slot: Slot, load: () => Promise<T>): Promise<T> {
    const p = Promise.resolve().then(load);
    slot.running = p;
    const done = () => {
      if (slot.running !== p) return;
      slot.running = undefined;
      if (slot.queued === undefined) this.slots.delete(key);
    };
    p.then(done, done);
    return p;
  }
}

interface Slot {
  running: Promise<unknown> | undefined;
  queued: Promise<unknown> | undefined;
}

function settled(): void {}
