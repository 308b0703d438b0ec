import { ComputeBackendError } from "./compute-backend-error.js";

/** The guest has no console to read (Nova's ConsoleNotAvailable, a NotFound: the API answers 404). */
export class ConsoleNotAvailableError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Guest does not have a console available." for this instance. */
  constructor(
    /** The instance whose console was asked for. */
    readonly instanceId: string,
    options?: { cause?: unknown },
  ) {
    super("CONSOLE_NOT_AVAILABLE", "Guest does not have a console available.", options);
  }
}
