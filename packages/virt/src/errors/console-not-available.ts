import { hasVirtErrorCode, VirtError } from "./virt-error.js";

/** The guest has no console log to read. */
export class ConsoleNotAvailableError extends VirtError {
  readonly code = "ConsoleNotAvailable" as const;

  constructor(instanceUuid: string, options: { cause?: unknown } = {}) {
    super("Guest does not have a console available.", { instanceUuid, cause: options.cause });
  }

  static override isInstance(error: unknown): error is ConsoleNotAvailableError {
    return hasVirtErrorCode(error, "ConsoleNotAvailable");
  }
}
