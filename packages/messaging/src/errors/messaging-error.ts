const marker = Symbol.for("@nova/messaging.error");

/** Fields every messaging error carries; `code` is stable across releases, switch on it. */
export interface MessagingErrorOptions {
  cause?: unknown;
  isRetryable?: boolean;
}

/** Base class of every error this package throws: a stable `code`, `isRetryable`, and the `cause`. */
export class MessagingError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly isRetryable: boolean;

  constructor(code: string, message: string, options: MessagingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
  }

  /** True for any MessagingError, even one thrown by a second copy of this package. */
  static isInstance(value: unknown): value is MessagingError {
    return typeof value === "object" && value !== null && (value as { [marker]?: unknown })[marker] === true;
  }
}
