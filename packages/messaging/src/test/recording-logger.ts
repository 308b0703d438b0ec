import type { Logger } from "../logger.js";

/** One recorded log call. */
export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  obj: object;
  msg: string | undefined;
}

/** A Logger that keeps every entry in `entries`. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: "debug", obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.entries.push({ level: "info", obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: "warn", obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: "error", obj, msg });
  }
}
