import { MessagingError } from "./messaging-error.js";

/** What oslo's failure JSON carries about an exception raised by a remote endpoint. */
export interface RemoteFailure {
  className: string;
  module: string;
  message: string;
  traceback: string[];
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** A remote endpoint raised something not in the allow-list; oslo's `RemoteError`. */
export class RemoteError extends MessagingError {
  /** The remote exception's class name (oslo: `exc_type`). */
  readonly excType: string;
  /** The remote exception's message (oslo: `value`). */
  readonly value: string;
  readonly traceback: string;
  readonly failure: RemoteFailure;

  constructor(failure: RemoteFailure) {
    super("MESSAGING_REMOTE_ERROR", `Remote error: ${failure.className} ${failure.message}`);
    this.excType = failure.className;
    this.value = failure.message;
    this.traceback = failure.traceback.join("");
    this.failure = failure;
  }
}
