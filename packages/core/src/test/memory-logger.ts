import type { Logger } from "../logger.js";

/** One line a {@link MemoryLogger} kept. */
export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  fields: object;
  message: string | undefined;
}

/** A {@link Logger} that keeps every line, so tests can assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[] = [];
  debug(fields: object, message?: string): void {
    this.records.push({ level: "debug", fields, message });
  }
  info(fields: object, message?: string): void {
    this.records.push({ level: "info", fields, message });
  }
  warn(fields: object, message?: string): void {
    this.records.push({ level: "warn", fields, message });
  }
  error(fields: object, message?: string): void {
    this.records.push({ level: "error", fields, message });
  }
  /** The messages logged at `level`. */
  messages(level: LogRecord["level"]): Array<string | undefined> {
    return this.records.filter((r) => r.level === level).map((r) => r.message);
  }
}
