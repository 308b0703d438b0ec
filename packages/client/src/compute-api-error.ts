const MARK = Symbol.for("@nova/client.ComputeApiError");

/** An error response from the Compute API, carrying Nova's fault name, code and message. */
export class ComputeApiError extends Error {
  /** Stable code: the fault name (`itemNotFound`, `conflictingRequest`, ...) or `http<status>`. */
  readonly code: string;
  /** True for statuses worth retrying (5xx other than 501, 429). */
  readonly isRetryable: boolean;
  readonly [MARK] = true;

  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Nova's fault name, or undefined when the body was not a fault. */
    readonly faultName: string | undefined,
    message: string,
    /** The request id Nova returned (`x-openstack-request-id`). */
    readonly requestId: string | undefined,
    /** The raw response body. */
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ComputeApiError";
    this.code = faultName ?? `http${status}`;
    this.isRetryable = status === 429 || (status >= 500 && status !== 501);
  }

  /** True for a ComputeApiError, even from another copy of this package. */
  static isInstance(value: unknown): value is ComputeApiError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  }
}

/** A server did not reach the wanted status in time, or went to ERROR while waiting. */
export class ServerWaitError extends Error {
  /** `timeout` or `error-status`. */
  readonly code: "timeout" | "error-status";
  readonly isRetryable = false;

  constructor(
    code: "timeout" | "error-status",
    message: string,
    /** The last status seen. */
    readonly lastStatus: string | undefined,
  ) {
    super(message);
    this.name = "ServerWaitError";
    this.code = code;
  }
}
