/** Base of the package's errors: a stable `code` callers can switch on. */
export class ServiceGroupError extends Error {
  readonly code: string;
  readonly isRetryable: boolean;
  constructor(code: string, message: string, opts: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.isRetryable = opts.isRetryable ?? false;
  }
}

/** The services table has no row for a reporting service (deleted through the API while it still runs). */
export class ServiceNotFoundError extends ServiceGroupError {
  constructor(
    readonly host: string,
    readonly binary: string,
  ) {
    super("SERVICE_NOT_FOUND", `Service ${binary} on host ${host} could not be found.`);
  }
}
