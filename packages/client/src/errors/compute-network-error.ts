import { NovaError } from "@nova/core";

/**
 * The request never got an HTTP answer: connection refused or reset, DNS failure, TLS failure. `reason` is the
 * system's code (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, ...) when Node gave one.
 */
export class ComputeNetworkError extends NovaError {
  /** Always `NETWORK_ERROR`. */
  declare readonly code: "NETWORK_ERROR";

  /** Wraps fetch's failure (`cause`) for `method url`. */
  constructor(
    /** The HTTP method. */
    readonly method: string,
    /** The URL that could not be reached. */
    readonly url: string,
    /** The system error code, when known (`ECONNREFUSED`, ...). */
    readonly reason: string | undefined,
    cause: unknown,
  ) {
    super("NETWORK_ERROR", `${method} ${url} failed: ${reason ?? describe(cause)}`, {
      cause,
      isRetryable: true,
    });
  }

  /** True when the server refused the connection: the request surely was not processed. */
  get connectionRefused(): boolean {
    return this.reason === "ECONNREFUSED";
  }
}

function describe(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  return inner instanceof Error ? inner.message : String(inner);
}
