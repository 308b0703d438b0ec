import { pino } from "pino";

/** The structured logger every service gets: JSON lines on stderr, `debug` when `[DEFAULT] debug`. */
export type NovaLogger = pino.Logger;

/** Creates a service's logger; `name` is the binary (nova-conductor, ...). */
export function createLogger(name: string, opts: { debug?: boolean; level?: string } = {}): NovaLogger {
  // Asynchronous writes: lines logged while a write is under way go out together (one syscall per burst, not
  // per request); pino flushes what is left when the process exits.
  return pino(
    { name, level: opts.level ?? (opts.debug ? "debug" : "info") },
    pino.destination({ dest: 2, sync: false }),
  );
}
