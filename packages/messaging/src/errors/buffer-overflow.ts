import { MessagingError } from "./messaging-error.js";

/** Too much is waiting for the broker to come back (count or bytes); the message was not accepted. */
export class BufferOverflow extends MessagingError {
  /** `limit` names the option that was reached. */
  constructor(limit: string) {
    super("MESSAGING_BUFFER_OVERFLOW", `Outgoing buffer full while disconnected (${limit})`, {
      isRetryable: true,
    });
  }
}
