import { pino } from "pino";

/** The structured logger every service gets: JSON lines on stderr, `debug` when `[DEFAULT] debug`. */
export type NovaLogger = pino.Logger;

/** Creates a service's logger; `name` is the binary (nova-conductor, ...). */
export function createLogger(name: string, opts: { debug?: boolean; level?: string } = {}): NovaLogger {
  return pino({ name, level: opts.level ?? (opts.debug ? "debug" : "info") }, pino.destination(2));
}
