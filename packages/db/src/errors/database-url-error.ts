import { NovaDbError } from "./nova-db-error.js";

/** A `[database] connection` URL with a scheme this package cannot drive, or that does not parse. */
export class DatabaseUrlError extends NovaDbError {
  /** Builds the error; the message names the URL's problem (scheme or syntax). */
  constructor(
    code: "DB_URL_UNSUPPORTED" | "DB_URL_INVALID",
    message: string,
    /** The URL, password redacted. */
    readonly url: string,
  ) {
    super(code, message);
  }
}
