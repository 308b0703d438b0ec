import { MessagingError } from "./messaging-error.js";

/** No reply (or call-monitor heartbeat) arrived in time; oslo's `MessagingTimeout`. */
export class MessagingTimeout extends MessagingError {
  /** The `_msg_id` of the call that timed out. */
  readonly msgId: string;

  /** For the call `msgId`, after `timeoutMs`. */
  constructor(msgId: string, timeoutMs: number) {
    super("MESSAGING_TIMEOUT", `Timed out waiting for a reply to message ID ${msgId} after ${timeoutMs} ms`, {
      isRetryable: true,
    });
    this.msgId = msgId;
  }
}
