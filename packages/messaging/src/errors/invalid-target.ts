import { MessagingError } from "./messaging-error.js";

/** A target lacks what the operation needs (a topic to send to, a server to listen on). */
export class InvalidTarget extends MessagingError {
  /** `message` says what the target lacks. */
  constructor(message: string) {
    super("MESSAGING_INVALID_TARGET", message);
  }
}
