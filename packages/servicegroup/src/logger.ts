/** The logging surface the package needs; pino's logger satisfies it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything, for callers that do not care. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
