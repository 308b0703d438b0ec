/** The logging surface this package needs; a pino logger fits it as is. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const nothing = (): void => {};

/** A logger that drops everything (the default; pass pino for real logs). */
export const silentLogger: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing };
