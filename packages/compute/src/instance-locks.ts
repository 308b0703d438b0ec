/**
 * One operation at a time per instance, as Nova's `@utils.synchronized(instance.uuid)`: a delete that arrives
 * during a build waits for the build, and a lifecycle event is judged after the action that caused it.
 */
export class InstanceLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier operation on `uuid` has finished. */
  async run<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(uuid) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(uuid, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(uuid) === tail) this.tails.delete(uuid);
    }
  }

  /** Instances with an operation running or waiting. */
  get busy(): number {
    return this.tails.size;
  }
}
