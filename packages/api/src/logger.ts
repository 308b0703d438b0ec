/** The structured logger the API writes to (pino's shape: fields first, then the message). */
export interface ApiLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: ApiLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
