import type { Writable } from "node:stream";

/**
 * Corks `stream` on the first write of a tick and uncorks it on the next microtask turn, so that the frames
 * amqplib writes one by one (a publish, an ack, a reply each is its own `write`) leave in one `writev`
 * syscall. Under load, the syscalls (and the broker's reads) per frame were what calls spent most time in.
 */
export function coalesceWrites(stream: Writable): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Writable["write"];
}
