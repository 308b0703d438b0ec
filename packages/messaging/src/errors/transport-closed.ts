import { MessagingError } from "./messaging-error.js";

/** The transport (or server) was closed; nothing more can be sent through it. */
export class TransportClosed extends MessagingError {
  constructor() {
    super("MESSAGING_TRANSPORT_CLOSED", "The transport is closed");
  }
}
