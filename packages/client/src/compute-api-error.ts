import { NovaError } from "@nova/core";

/** Nova's camelCase fault name as a code: `itemNotFound` -> `ITEM_NOT_FOUND`. */
function faultCode(faultName: string): string {
  return faultName
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
}

/**
 * An error response from the Compute API, carrying Nova's fault name, status and message. `code` is the fault
 * name in UPPER_SNAKE_CASE (`ITEM_NOT_FOUND`, `CONFLICTING_REQUEST`, ...), or `HTTP_<status>` when the body
 * was not a fault; an answer that does not match its schema is `UNEXPECTED_RESPONSE`.
 */
export class ComputeApiError extends NovaError {
  /**
   * Builds the error from a response; `code` comes from the fault name, else `HTTP_<status>`, unless given.
   */
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Nova's fault name (`itemNotFound`, `conflictingRequest`, ...), or undefined when the body was not a fault. */
    readonly faultName: string | undefined,
    message: string,
    /** The request id Nova returned (`x-openstack-request-id`). */
    readonly requestId: string | undefined,
    /** The raw response body. */
    readonly body: unknown,
    /** A code to use instead of the one derived from the fault name or status. */
    code?: string,
    /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(code ?? (faultName !== undefined ? faultCode(faultName) : `HTTP_${status}`), message, {
      // 5xx other than 501 (a missing feature stays missing), and 429 once the limit resets.
      isRetryable: status === 429 || (status >= 500 && status !== 501),
    });
  }
}

/** Why {@link ServerWaitError} gave up. */
export type ServerWaitErrorCode = "SERVER_WAIT_TIMEOUT" | "SERVER_WAIT_ERROR_STATUS";

/** The instance fault a server in ERROR shows (`code`, `message`, `created`, and `details` for admins). */
export interface ServerWaitFault {
  /** The HTTP-like code Nova recorded (500 for a failed build). */
  code: number;
  /** Why the server failed ("No valid host was found. ..."). */
  message: string;
  /** When the fault was recorded. */
  created: string;
  /** The traceback, shown to admins only. */
  details?: string | undefined;
}

/** A server did not reach the wanted status in time, or went to ERROR (or another `failOn` status) first. */
export class ServerWaitError extends NovaError {
  /** `SERVER_WAIT_TIMEOUT` or `SERVER_WAIT_ERROR_STATUS`. */
  declare readonly code: ServerWaitErrorCode;

  /** Builds the error with the status the server was last seen in, and its fault when it went to ERROR. */
  constructor(
    code: ServerWaitErrorCode,
    message: string,
    /** The last status seen. */
    readonly lastStatus: string | undefined,
    /** The instance fault the server showed, when it had one. */
    readonly fault?: ServerWaitFault,
  ) {
    super(code, message);
  }
}
