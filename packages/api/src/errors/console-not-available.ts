import { ComputeBackendError } from "./compute-backend-error.js";

/** The guest has no console to read (Nova's ConsoleNotAvailable, a NotFound: the API answers 404). */
export class ConsoleNotAvailableError extends ComputeBackendError {
  readonly code = "ConsoleNotAvailable";
  readonly httpStatus = 404;

  constructor(
    readonly instanceId: string,
    options?: { cause?: unknown },
  ) {
    super("Guest does not have a console available.", options);
  }
}
