import { MessagingError } from "./messaging-error.js";

/** An incoming body is not an oslo message (bad JSON, missing fields, unsupported envelope version). */
export class MalformedMessage extends MessagingError {
  constructor(detail: string, cause?: unknown) {
    super("MESSAGING_MALFORMED_MESSAGE", `Malformed message: ${detail}`, { cause });
  }
}
