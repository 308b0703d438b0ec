import { NovaError } from "@nova/core";

/** A token Keystone does not vouch for: missing, malformed, expired or revoked (answered with 401). */
export class InvalidTokenError extends NovaError {
  /** Builds the error; `message` says why, for the log (callers see keystonemiddleware's fixed text). */
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_TOKEN", message, options);
  }
}

/** Keystone could not be asked (down, timing out, refusing the service's own credentials): answered with 503. */
export class KeystoneUnavailableError extends NovaError {
  /** Builds the error; `cause` is what failed underneath. */
  constructor(message: string, options?: { cause?: unknown }) {
    super("KEYSTONE_UNAVAILABLE", message, { ...options, isRetryable: true });
  }
}
