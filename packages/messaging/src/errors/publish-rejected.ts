import { MessagingError } from "./messaging-error.js";

/** The broker refused the message (a publisher-confirm nack, or a declare it rejected). */
export class PublishRejected extends MessagingError {
  /** `detail` says what the broker refused. */
  constructor(detail: string, cause?: unknown) {
    super("MESSAGING_PUBLISH_REJECTED", `Broker rejected the publish: ${detail}`, {
      isRetryable: true,
      cause,
    });
  }
}
