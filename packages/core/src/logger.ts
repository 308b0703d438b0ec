/**
 * The logging surface every package writes to: structured fields first, then the message, as pino does,
 * so the apps pass a pino logger straight in.
 */
export interface Logger {
  /** Logs detail useful only when debugging (oslo.log's `debug = True`). */
  debug(fields: object, message?: string): void;
  /** Logs a normal event of the service (started, stopped, a request served). */
  info(fields: object, message?: string): void;
  /** Logs something unexpected that the service survives (a late reply, a retried call). */
  warn(fields: object, message?: string): void;
  /** Logs a failure an operator should look at (a build that failed, a lost connection). */
  error(fields: object, message?: string): void;
}

const nothing = (): void => {};

/** A logger that drops everything: the default where a caller passes none. */
export const silentLogger: Logger = Object.freeze({
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
});

/** The message of an unknown thrown value, for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
