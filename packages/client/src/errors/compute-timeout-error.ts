import { NovaError } from "@nova/core";

/** No complete answer within the request's timeout (the client's default or the call's `timeoutMs`). */
export class ComputeTimeoutError extends NovaError {
  /** Always `REQUEST_TIMEOUT`. */
  declare readonly code: "REQUEST_TIMEOUT";

  /** For `method url`, given up after `timeoutMs`. */
  constructor(
    /** The HTTP method. */
    readonly method: string,
    /** The URL asked. */
    readonly url: string,
    /** The timeout that ran out, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super("REQUEST_TIMEOUT", `${method} ${url}: no answer within ${timeoutMs} ms`, { isRetryable: true });
  }
}
