import { MessagingError } from "./messaging-error.js";

/** What a timed-out call was: where it went and where the reply should have come back. */
export interface MessagingTimeoutDetails {
  /** The target's topic. */
  topic?: string;
  /** The target's server, when the call went to one (`compute.<host>`). */
  server?: string;
  /** The method called. */
  method?: string;
  /** The caller's reply queue. */
  replyQueue?: string;
  /** The queue the request was routed to (`<topic>` or `<topic>.<server>`). */
  queue?: string;
  /** Consumers on that queue when the call timed out (a passive declare); undefined when unknown. */
  consumers?: number;
}

/** No reply (or call-monitor heartbeat) arrived in time; oslo's `MessagingTimeout`. */
export class MessagingTimeout extends MessagingError {
  /** The `_msg_id` of the call that timed out. */
  readonly msgId: string;
  /** What is known of the call; the message says it too. */
  readonly details: Readonly<MessagingTimeoutDetails>;

  /** For the call `msgId`, after `timeoutMs`. */
  constructor(msgId: string, timeoutMs: number, details: MessagingTimeoutDetails = {}) {
    super(
      "MESSAGING_TIMEOUT",
      `Timed out waiting for a reply to message ID ${msgId} after ${timeoutMs} ms${describe(details)}`,
      { isRetryable: true },
    );
    this.msgId = msgId;
    this.details = { ...details };
  }
}

function describe(d: MessagingTimeoutDetails): string {
  const parts: string[] = [];
  if (d.topic !== undefined) parts.push(`topic ${d.topic}`);
  if (d.server !== undefined) parts.push(`server ${d.server}`);
  if (d.method !== undefined) parts.push(`method ${d.method}`);
  if (d.replyQueue !== undefined) parts.push(`reply queue ${d.replyQueue}`);
  if (d.queue !== undefined && d.consumers !== undefined) {
    // The one fact that tells "nobody listens" (a dead service) from "it listens but is slow or stuck".
    parts.push(`${d.consumers} consumer${d.consumers === 1 ? "" : "s"} on queue ${d.queue}`);
  }
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}
