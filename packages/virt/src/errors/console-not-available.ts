import { VirtError } from "./virt-error.js";

/** The guest has no console log to read. */
export class ConsoleNotAvailableError extends VirtError {
  declare readonly code: "CONSOLE_NOT_AVAILABLE";

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, options: { cause?: unknown } = {}) {
    super("CONSOLE_NOT_AVAILABLE", "ConsoleNotAvailable", "Guest does not have a console available.", {
      instanceUuid,
      cause: options.cause,
    });
  }
}
