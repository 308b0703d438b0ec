import { MessagingError } from "./messaging-error.js";

/** The transport URL could not be parsed; `part` names what is wrong (scheme, host, port, ...). */
export class InvalidTransportUrl extends MessagingError {
  /** Which part is wrong: scheme, host, port, username, password, virtual_host or url. */
  readonly part: string;
  /** The URL as given. */
  readonly url: string;

  /** For `url`, naming the wrong `part`. */
  constructor(url: string, part: string, detail: string) {
    super("MESSAGING_INVALID_TRANSPORT_URL", `Invalid transport URL (${part}): ${detail}`);
    this.url = url;
    this.part = part;
  }
}
