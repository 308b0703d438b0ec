import { MessagingError } from "./messaging-error.js";

/** What oslo's failure JSON carries about an exception raised by a remote endpoint. */
export interface RemoteFailure {
  /** The exception's class name. */
  className: string;
  /** The exception's Python module. */
  module: string;
  /** The exception's message. */
  message: string;
  /** The remote traceback, one line per entry. */
  traceback: string[];
  /** The exception's positional arguments. */
  args: unknown[];
  /** The keyword arguments it is rebuilt with. */
  kwargs: Record<string, unknown>;
}

/** A remote endpoint raised something not in the allow-list; oslo's `RemoteError`. */
export class RemoteError extends MessagingError {
  /** The remote exception's class name (oslo: `exc_type`). */
  readonly excType: string;
  /** The remote exception's message (oslo: `value`). */
  readonly value: string;
  /** The remote traceback as one string. */
  readonly traceback: string;
  /** Everything the failure JSON carried. */
  readonly failure: RemoteFailure;

  /** From a decoded failure. */
  constructor(failure: RemoteFailure) {
    super("MESSAGING_REMOTE_ERROR", `Remote error: ${failure.className} ${failure.message}`);
    this.excType = failure.className;
    this.value = failure.message;
    this.traceback = failure.traceback.join("");
    this.failure = failure;
  }
}
