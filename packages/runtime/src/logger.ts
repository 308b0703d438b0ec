import { pino } from "pino";
import { PinoPretty } from "pino-pretty";

/** The structured logger every service gets: JSON lines on stderr, `debug` when `[DEFAULT] debug`. */
export type NovaLogger = pino.Logger;

/** How a logger is made. */
export interface LoggerOptions {
  /** `[DEFAULT] debug`: log at debug level. */
  debug?: boolean;
  /** An explicit pino level (wins over `debug`). */
  level?: string;
  /** Fields added to every line: `RequestScope.logMixin`, so each line names the request it serves. */
  mixin?: () => object;
  /** Readable lines (pino-pretty) instead of JSON: the all-in-one on a terminal. */
  pretty?: boolean;
}

/** Creates a service's logger; `name` is the binary (nova-conductor, ...). */
export function createLogger(name: string, opts: LoggerOptions = {}): NovaLogger {
  const options: pino.LoggerOptions = { name, level: opts.level ?? (opts.debug ? "debug" : "info") };
  if (opts.mixin) options.mixin = opts.mixin;
  const destination = opts.pretty
    ? PinoPretty({ destination: 2, colorize: true, sync: true, ignore: "pid,hostname" })
    : // Asynchronous writes: lines logged while a write is under way go out together (one syscall per burst,
      // not per request); pino flushes what is left when the process exits.
      pino.destination({ dest: 2, sync: false });
  return pino(options, destination);
}
