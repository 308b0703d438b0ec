import { type Clock, type Logger, retry, systemClock } from "@nova/core";
import { API_VERSION_HEADER } from "./api-version.js";
import { ComputeApiError } from "./compute-api-error.js";
import { ComputeNetworkError } from "./errors/compute-network-error.js";
import { ComputeTimeoutError } from "./errors/compute-timeout-error.js";
import { errorFromResponse, requestIdOf } from "./errors/error-from-response.js";
import { UnauthorizedError } from "./errors/unauthorized-error.js";

/** What any call of the client accepts besides its own arguments. */
export interface CallOptions {
  /** Aborts the call (and its retries); the signal's reason is thrown. */
  signal?: AbortSignal | undefined;
  /** This call's timeout in milliseconds, per attempt (default: the client's `timeoutMs`); 0 waits forever. */
  timeoutMs?: number | undefined;
  /** The microversion of this call only ("2.79"), instead of the client's. */
  microversion?: string | undefined;
  /** False: never retry this call, even when it is safe to. */
  retry?: boolean | undefined;
}

/** How the client retries safe requests: exponential backoff from `intervalMs` up to `maxIntervalMs`. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3; 0 never retries). */
  maxRetries?: number;
  /** The first wait, in milliseconds (default 500). */
  intervalMs?: number;
  /** The longest wait, and the most a `Retry-After` is honoured, in milliseconds (default 30 s). */
  maxIntervalMs?: number;
}

/** What the debug hook sees: one event per attempt, answer, failure, retry and re-authentication. */
export type ClientEvent =
  | { type: "request"; method: string; url: string; attempt: number; microversion: string | undefined }
  | {
      type: "response";
      method: string;
      url: string;
      attempt: number;
      status: number;
      requestId: string | undefined;
      durationMs: number;
    }
  | { type: "error"; method: string; url: string; attempt: number; error: unknown; durationMs: number }
  | { type: "retry"; method: string; url: string; attempt: number; error: unknown; waitMs: number }
  | { type: "reauthenticate"; method: string; url: string };

/** Where tokens come from when they are not static: Keystone, re-authenticating as needed. */
export interface TokenProvider {
  /** A valid token, authenticating first when there is none or it is about to expire. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets the current token (the server refused it), so the next `getToken` authenticates again. */
  invalidate(): void;
}

/** Options of an {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** A static `X-Auth-Token`. */
  token?: string | undefined;
  /** Tokens from Keystone (takes precedence over `token`). */
  tokenProvider?: TokenProvider | undefined;
  /** The default microversion ("2.1" .. "2.93" or "latest"). */
  microversion?: string | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch | undefined;
  /** Default per-attempt timeout in milliseconds (default 60 s; 0 waits forever). */
  timeoutMs?: number | undefined;
  /** Retry policy of safe requests. */
  retry?: RetryPolicy | undefined;
  /** Called for every request, response, failure and retry (a debug hook; must not throw). */
  onEvent?: ((event: ClientEvent) => void) | undefined;
  /** Receives the same events at debug level. */
  logger?: Logger | undefined;
  /** Whose time timeouts and backoff follow (tests pass a FakeClock). */
  clock?: Clock | undefined;
}

/** A raw response: status, headers and parsed JSON body (undefined when empty). */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The parsed JSON body, the text when it is not JSON, or undefined when empty. */
  body: unknown;
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * One HTTP exchange with the Compute API done right: token and microversion headers, a timeout, the caller's
 * AbortSignal, typed errors, one re-authentication on 401, and backoff retries only where repeating is safe.
 */
export class HttpTransport {
  /** Whose time timeouts and backoff follow. */
  readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly authFailures = new WeakSet<object>();

  /** A transport; it sends nothing until `send` is called. */
  constructor(
    /** How it sends (token, microversion, timeout, retries, hooks). */
    readonly options: HttpTransportOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends `method url` with an optional JSON body; resolves with the answer, throws a typed error on >= 400. */
  async send(method: string, url: string, body?: unknown, call: CallOptions = {}): Promise<RawResponse> {
    const policy = this.options.retry ?? {};
    const maxIntervalMs = policy.maxIntervalMs ?? 30_000;
    let reauthenticated = false;
    return retry(
      {
        maxRetries: call.retry === false ? 0 : (policy.maxRetries ?? 3),
        intervalMs: policy.intervalMs ?? 500,
        incInterval: true,
        maxIntervalMs,
        clock: this.clock,
        ...(call.signal ? { signal: call.signal } : {}),
        isRetryable: (error) => safeToRepeat(method, error),
        waitFor: (error, computed) =>
          ComputeApiError.isInstance(error) && error.retryAfterMs !== undefined
            ? Math.min(error.retryAfterMs, maxIntervalMs)
            : computed,
        onRetry: (attempt, error, waitMs) =>
          this.emit({ type: "retry", method, url, attempt, error, waitMs }),
      },
      async (attempt) => {
        for (;;) {
          try {
            return await this.attempt(method, url, body, call, attempt);
          } catch (error) {
            // A token can expire between our check and the server's: authenticate again, once.
            if (reauthenticated || !this.options.tokenProvider || !UnauthorizedError.isInstance(error))
              throw error;
            if (this.authFailures.has(error)) throw error;
            reauthenticated = true;
            this.options.tokenProvider.invalidate();
            this.emit({ type: "reauthenticate", method, url });
          }
        }
      },
    );
  }

  private async attempt(
    method: string,
    url: string,
    body: unknown,
    call: CallOptions,
    attempt: number,
  ): Promise<RawResponse> {
    const signal = call.signal;
    signal?.throwIfAborted();
    const controller = new AbortController();
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? this.clock.setTimer(timeoutMs, () => {
            timedOut = true;
            controller.abort(new ComputeTimeoutError(method, url, timeoutMs));
          })
        : undefined;
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const started = this.clock.now();
    const microversion = call.microversion ?? this.options.microversion;
    try {
      const headers: Record<string, string> = { Accept: "application/json", ...this.options.headers };
      const token = this.options.tokenProvider
        ? await this.options.tokenProvider.getToken(controller.signal).catch((error: unknown) => {
            // Keystone refusing the credentials is final: no second authentication for this one.
            if (typeof error === "object" && error !== null) this.authFailures.add(error);
            throw error;
          })
        : this.options.token;
      if (token !== undefined) headers["X-Auth-Token"] = token;
      if (microversion !== undefined) headers[API_VERSION_HEADER] = `compute ${microversion}`;
      if (body !== undefined) headers["Content-Type"] = "application/json";
      this.emit({ type: "request", method, url, attempt, microversion });
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers,
          signal: controller.signal,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        text = await response.text();
      } catch (error) {
        if (controller.signal.aborted) throw timedOut ? controller.signal.reason : (signal?.reason ?? error);
        throw new ComputeNetworkError(method, url, systemCode(error), error);
      }
      const parsed = parseBody(text);
      this.emit({
        type: "response",
        method,
        url,
        attempt,
        status: response.status,
        requestId: requestIdOf(response.headers),
        durationMs: this.clock.now() - started,
      });
      if (response.status >= 400) {
        throw errorFromResponse(
          response.status,
          response.statusText,
          response.headers,
          parsed,
          this.clock.now(),
        );
      }
      return { status: response.status, headers: response.headers, body: parsed };
    } catch (error) {
      if (!ComputeApiError.isInstance(error)) {
        this.emit({ type: "error", method, url, attempt, error, durationMs: this.clock.now() - started });
      }
      throw error;
    } finally {
      timer?.cancel();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private emit(event: ClientEvent): void {
    this.options.onEvent?.(event);
    if (this.options.logger) {
      const { type, ...fields } = event;
      this.options.logger.debug({ ...fields, event: type }, `compute api ${type}`);
    }
  }
}

/**
 * Whether a failed request may be sent again: anything the server surely did not process (connection refused,
 * 429 rate limiting), and GET/HEAD after a transient failure (503, 502, 504, a reset connection).
 */
function safeToRepeat(method: string, error: unknown): boolean {
  const safe = SAFE_METHODS.has(method.toUpperCase());
  if (ComputeNetworkError.isInstance(error)) return safe || error.connectionRefused;
  if (ComputeApiError.isInstance(error)) {
    if (error.status === 429) return true;
    return safe && (error.status === 502 || error.status === 503 || error.status === 504);
  }
  return false;
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Node's fetch fails with `TypeError: fetch failed` whose cause (or the cause's aggregated errors, when several
// addresses were tried) carries the system code.
function systemCode(error: unknown): string | undefined {
  let cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof AggregateError) cause = cause.errors[0];
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
