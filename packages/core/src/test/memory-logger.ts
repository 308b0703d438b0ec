import type { Logger } from "../logger.js";

/** One line a {@link MemoryLogger} kept. */
export interface LogRecord {
  /** The level it was logged at. */
  level: "debug" | "info" | "warn" | "error";
  /** The structured fields (`request_id`, `host`, ...), as given. */
  fields: object;
  /** The message, when one was given. */
  message: string | undefined;
}

/** A {@link Logger} that keeps every line, so tests can assert on what was logged. */
export class MemoryLogger implements Logger {
  /** Every line logged so far, oldest first. */
  readonly records: LogRecord[] = [];
  /** Keeps a debug line. */
  debug(fields: object, message?: string): void {
    this.records.push({ level: "debug", fields, message });
  }
  /** Keeps an info line. */
  info(fields: object, message?: string): void {
    this.records.push({ level: "info", fields, message });
  }
  /** Keeps a warning. */
  warn(fields: object, message?: string): void {
    this.records.push({ level: "warn", fields, message });
  }
  /** Keeps an error line. */
  error(fields: object, message?: string): void {
    this.records.push({ level: "error", fields, message });
  }
  /** The messages logged at `level`. */
  messages(level: LogRecord["level"]): Array<string | undefined> {
    return this.records.filter((r) => r.level === level).map((r) => r.message);
  }
}
