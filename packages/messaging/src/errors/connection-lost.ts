import { MessagingError } from "./messaging-error.js";

/** The broker connection dropped while the operation was in flight; retrying after reconnect is safe-ish. */
export class ConnectionLost extends MessagingError {
  /** `detail` says what was under way. */
  constructor(detail: string, cause?: unknown) {
    super("MESSAGING_CONNECTION_LOST", `Broker connection lost: ${detail}`, { isRetryable: true, cause });
  }
}
