import { MessagingError } from "./messaging-error.js";

/** An incoming body is not an oslo message (bad JSON, missing fields, unsupported envelope version). */
export class MalformedMessage extends MessagingError {
  /** `detail` says what is wrong with the body. */
  constructor(detail: string, cause?: unknown) {
    super("MESSAGING_MALFORMED_MESSAGE", `Malformed message: ${detail}`, { cause });
  }
}
