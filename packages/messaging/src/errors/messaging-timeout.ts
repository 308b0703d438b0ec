import { MessagingError } from "./messaging-error.js";

/** No reply (or call-monitor heartbeat) arrived in time; oslo's `MessagingTimeout`. */
export class MessagingTimeout extends MessagingError {
  readonly msgId: string;

  constructor(msgId: string, timeoutMs: number) {
    super("MESSAGING_TIMEOUT", `Timed out waiting for a reply to message ID ${msgId} after ${timeoutMs} ms`, {
      isRetryable: true,
    });
    this.msgId = msgId;
  }
}
